namespace TcpReplay.Engine.Tests.Lab;

/// <summary>
/// Lab tests build namespaces, run servers and time captures: they run one at a time (two shared cores), each with
/// its own namespace prefix.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LabCollection
{
    public const string Name = "Lab";
}
