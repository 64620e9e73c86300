namespace TcpReplay.Engine.Tests.Lab;

/// <summary>A theory that needs root; skipped like <see cref="RootFactAttribute"/>.</summary>
public sealed class RootTheoryAttribute : TheoryAttribute
{
    public RootTheoryAttribute()
    {
        Skip = new RootFactAttribute().Skip;
    }
}
