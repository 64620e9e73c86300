using TcpReplay.Engine.Channel;

namespace TcpReplay.Engine.Tests.Channel;

public class ResponseRouteTableTests
{
    private static ChannelKey Key(int n) => ChannelKey.From(0xC6130000u + (uint)n, (ushort)(40000 + n), 0xC612001E, 8080);

    [Fact]
    public void TheLastSetWinsForAKey()
    {
        var table = new ResponseRouteTable<Link>(100);
        var a = new Link();
        var b = new Link();

        table.Set(Key(1), a);
        table.Set(Key(1), b);

        Assert.Same(b, table.Find(Key(1)));
        Assert.Equal(1, table.Count);
    }

    [Fact]
    public void ARouteToAClosedLinkIsForgotten()
    {
        var table = new ResponseRouteTable<Link>(100);
        var link = new Link();
        table.Set(Key(1), link);

        link.IsClosed = true;

        Assert.Null(table.Find(Key(1)));
        Assert.Equal(0, table.Count);
    }

    [Fact]
    public void WhenFullTheRoutesUnusedForAGenerationAreForgottenAndUsedOnesKept()
    {
        var table = new ResponseRouteTable<Link>(4);
        var link = new Link();
        table.Set(Key(1), link);
        table.Set(Key(2), link);

        table.Set(Key(3), link);
        Assert.Same(link, table.Find(Key(1)));
        table.Set(Key(4), link);

        Assert.Null(table.Find(Key(2)));
        Assert.Same(link, table.Find(Key(1)));
        Assert.Same(link, table.Find(Key(4)));
        Assert.InRange(table.Count, 1, 4);
    }

    [Fact]
    public void KeysDifferingOnlyInTheTargetAreDistinct()
    {
        var table = new ResponseRouteTable<Link>(100);
        var a = new Link();
        table.Set(ChannelKey.From(1, 2, 3, 4), a);

        Assert.Null(table.Find(ChannelKey.From(1, 2, 5, 4)));
        Assert.Null(table.Find(ChannelKey.From(1, 2, 3, 5)));
        Assert.Same(a, table.Find(ChannelKey.From(1, 2, 3, 4)));
    }

    private sealed class Link : IRouteTarget
    {
        public bool IsClosed { get; set; }
    }
}
