using TcpReplay.Engine.Diagnostics.Health;

namespace TcpReplay.Engine.Tests.Diagnostics.Health;

public sealed class ListeningSocketsTests
{
    private const string Output = """
        LISTEN 0      511          0.0.0.0:8080      0.0.0.0:*
        LISTEN 0      4096   127.0.0.53%lo:53        0.0.0.0:*
        LISTEN 0      128        198.18.0.20:9000    0.0.0.0:*
        LISTEN 0      128             [::]:22           [::]:*
        ESTAB  0      0        198.18.0.20:8081  198.18.0.10:5000
        LISTEN 0
        LISTEN 0      128          0.0.0.0:http      0.0.0.0:*
        """;

    [Fact]
    public void ListeningLinesAreReadWithTheirAddressAndPortAndOthersSkipped()
    {
        var sockets = ListeningSockets.Parse(Output);
        Assert.Equal([("0.0.0.0", (ushort)8080), ("127.0.0.53", (ushort)53), ("198.18.0.20", (ushort)9000), ("[::]", (ushort)22)], sockets);
    }

    [Theory]
    [InlineData(0u, (ushort)8080, true)]
    [InlineData(0xC6120014u, (ushort)8080, true)]
    [InlineData(0xC6120014u, (ushort)9000, true)]
    [InlineData(0xC612001Eu, (ushort)9000, false)]
    [InlineData(0u, (ushort)22, true)]
    [InlineData(0u, (ushort)8081, false)]
    public void AWildcardListenerAcceptsEveryAddressAndASpecificOneOnlyItsOwn(uint address, ushort port, bool accepts)
    {
        Assert.Equal(accepts, ListeningSockets.Accepts(ListeningSockets.Parse(Output), address, port));
    }
}
