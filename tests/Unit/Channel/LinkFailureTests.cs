using System.Net;
using System.Net.Sockets;
using TcpReplay.Engine.Channel;
using static TcpReplay.Engine.Tests.Channel.ChannelLoopback;

namespace TcpReplay.Engine.Tests.Channel;

/// <summary>How a link failure is classified, and that the kind reaches the link's status beside the message.</summary>
public sealed class LinkFailureTests : IDisposable
{
    private readonly Socket _listener;

    public LinkFailureTests()
    {
        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(16);
    }

    public void Dispose() => _listener.Dispose();

    [Theory]
    [InlineData(SocketError.ConnectionReset, LinkFailureKind.Reset)]
    [InlineData(SocketError.Shutdown, LinkFailureKind.Reset)]
    [InlineData(SocketError.OperationAborted, LinkFailureKind.Aborted)]
    [InlineData(SocketError.Interrupted, LinkFailureKind.Aborted)]
    [InlineData(SocketError.NetworkUnreachable, LinkFailureKind.Unexpected)]
    [InlineData(SocketError.TimedOut, LinkFailureKind.Unexpected)]
    public void SocketErrorsAreSplitIntoResetAbortAndUnexpectedAsKestrelDoes(SocketError error, LinkFailureKind expected)
    {
        var failure = LinkFailure.FromSocketError(error, "message");
        Assert.Equal(expected, failure.Kind);
        Assert.Equal("message", failure.Message);
    }

    [Fact]
    public void OnUnixAnInvalidArgumentIsASocketClosedUnderTheCall()
    {
        Assert.Equal(OperatingSystem.IsWindows() ? LinkFailureKind.Unexpected : LinkFailureKind.Aborted, LinkFailure.Classify(SocketError.InvalidArgument));
        Assert.Equal(OperatingSystem.IsWindows() ? LinkFailureKind.Reset : LinkFailureKind.Unexpected, LinkFailure.Classify(SocketError.ConnectionAborted));
    }

    [Fact]
    public void AnOversizedCombinedFrameIsAProtocolErrorWithItsMessageUnchanged()
    {
        using var client = StartClient((IPEndPoint)_listener.LocalEndPoint!, new RecordingSink(), o => o.LinksPerServer = 1);
        using (var link = Accept())
        {
            ReadExactly(link, 14);
            link.Send([0x00, 0x11, .. new byte[17 * 64]]);
            Assert.True(ClosedByPeer(link, Poll.Default), "the client should drop the link");
        }

        Poll.Until(() => client.Links[0].LastFailureKind == LinkFailureKind.ProtocolError, "the kind to be reported", state: () => $"{client.Links[0].LastFailureKind}");
        Assert.Contains("combined frame announces 17 records, at most 16 allowed", client.Links[0].LastError);
    }

    [Fact]
    public void AnInterceptThatClosesTheLinkIsClosedNotReset()
    {
        using var client = StartClient((IPEndPoint)_listener.LocalEndPoint!, new RecordingSink(), o => o.LinksPerServer = 1);
        using (var link = Accept())
        {
            ReadExactly(link, 14);
            WaitConnected(client, 1);
        }

        Poll.Until(() => client.Links[0].LastFailureKind is not null, "the kind to be reported");
        Assert.Equal(LinkFailureKind.Closed, client.Links[0].LastFailureKind);
        Assert.Contains("closed the connection", client.Links[0].LastError);
    }

    [Fact]
    public void ARefusedConnectIsAConnectFailure()
    {
        var port = ((IPEndPoint)_listener.LocalEndPoint!).Port;
        _listener.Dispose();
        using var client = StartClient(new IPEndPoint(IPAddress.Loopback, port), new RecordingSink(), o => o.LinksPerServer = 1);

        Poll.Until(() => client.Links[0].LastFailureKind is not null, "the kind to be reported");
        Assert.Equal(LinkFailureKind.ConnectFailed, client.Links[0].LastFailureKind);
        Assert.Contains("ConnectionRefused", client.Links[0].LastError);
    }

    private Socket Accept()
    {
        using var cts = new CancellationTokenSource(Poll.Default);
        var socket = _listener.AcceptAsync(cts.Token).AsTask().GetAwaiter().GetResult();
        socket.NoDelay = true;
        return socket;
    }
}
