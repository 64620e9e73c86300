namespace TcpReplay.Engine.Tests.Diagnostics;

/// <summary>Outputs of ip and ethtool recorded in a namespace (iproute2 6.1, ethtool 6.1), under Fixtures/Diagnostics.</summary>
internal static class Fixture
{
    public static string Read(string name) =>
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "Diagnostics", name));
}
