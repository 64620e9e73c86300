using System.Net;
using System.Net.Sockets;
using TcpReplay.Engine.Channel;
using static TcpReplay.Engine.Tests.Channel.ChannelLoopback;
using static TcpReplay.Engine.Tests.Channel.ChannelTestPackets;

namespace TcpReplay.Engine.Tests.Channel;

/// <summary>
/// The response payload extension (docs/protocol.md §9) byte for byte: the request, the acknowledgment, the extended
/// record; both ends against a peer written by hand, and against a peer that does not know the extension.
/// </summary>
public sealed class ResponsePayloadExtensionTests : IDisposable
{
    private const string HelloHex = "00000000 0000 0006 00000000 0000";
    private const string AddHex = "c6130001 9c40 0001 c612001e 1f90"; // 198.19.0.1:40000 → 198.18.0.30:8080
    private const string Request16Hex = "54525058 0010 5250 00000000 0001";
    private static readonly string Zero56 = new('0', 112);
    private static readonly string Ack16Hex = "54525058 0010 0001" + Zero56;

    // 198.18.0.30:8080 → 198.19.0.1:40000, PSH|ACK, "HTTP/1.1 200 OK\r\n" (17 bytes): total length 57.
    private const string IpTcpHex =
        "45000039 12344000 40060000 c612001e c6130001" +
        "1f909c40 00001000 00002001 5018ffff 00000000";

    private const string PayloadHex = "485454502f312e3120323030204f4b0d0a";

    private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);

    public ResponsePayloadExtensionTests()
    {
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(4);
    }

    public void Dispose() => _listener.Dispose();

    private static string Zeros(int bytes) => new('0', bytes * 2);

    [Fact]
    public void TheRequestIsAFourteenByteClientRecordOfAnUnknownType()
    {
        var bytes = new byte[14];
        ResponsePayloadExtension.CreateRequest(16).WriteTo(bytes);

        Assert.Equal(Hex(Request16Hex), bytes);
        Assert.True(ClientRecord.TryRead(bytes, out var record));
        Assert.True(ResponsePayloadExtension.IsRequest(record, out var wanted));
        Assert.Equal(16, wanted);
        Assert.NotEqual(ClientRecordType.Add, record.Type);
        Assert.NotEqual(ClientRecordType.Delete, record.Type);
    }

    [Fact]
    public void TheAcknowledgmentIsASixtyFourByteRecordThatNoIpv4ParserAccepts()
    {
        var record = new byte[64];
        ResponsePayloadExtension.WriteAcknowledgment(record, 16);

        Assert.Equal(Hex(Ack16Hex), record);
        Assert.True(ResponsePayloadExtension.TryReadAcknowledgment(record, out var granted));
        Assert.Equal(16, granted);
        Assert.Equal(ResponseRecordStatus.NotIPv4, ResponseRecord.Normalize(record, false));
    }

    [Fact]
    public void AnExtendedRecordIsTheSixtyFourByteRecordThenTheCountThenTheFirstPayloadBytes()
    {
        var packet = Hex(IpTcpHex + PayloadHex);
        var record = new byte[ResponsePayloadExtension.RecordSize(12)];

        Assert.Equal(86, ResponsePayloadExtension.Encode(packet, 12, record, 0x1122334455667788));

        Assert.Equal(Hex(IpTcpHex + Zeros(24) + "1122334455667788" + "000c" + "485454502f312e3120323030"), record);
        Assert.Equal("HTTP/1.1 200"u8.ToArray(), ResponsePayloadExtension.GetPayload(record).ToArray());
    }

    [Fact]
    public void APayloadShorterThanTheGrantIsCarriedWholeAndZeroFilled()
    {
        var packet = Hex(IpTcpHex + PayloadHex);
        var record = new byte[ResponsePayloadExtension.RecordSize(32)];
        record.AsSpan().Fill(0xEE);

        Assert.Equal(106, ResponsePayloadExtension.Encode(packet, 32, record));

        Assert.Equal(Hex(IpTcpHex + Zeros(24) + Zeros(8) + "0011" + PayloadHex + Zeros(15)), record);
    }

    [Theory]
    [InlineData(40)]
    [InlineData(41)]
    [InlineData(50)]
    [InlineData(56)]
    public void APacketCutByTheCaptureCarriesOnlyWhatWasCaptured(int captured)
    {
        var packet = Hex(IpTcpHex + PayloadHex).AsSpan(0, captured);
        var record = new byte[ResponsePayloadExtension.RecordSize(32)];

        Assert.Equal(106, ResponsePayloadExtension.Encode(packet, 32, record));

        Assert.Equal(captured - 40, ResponsePayloadExtension.GetPayload(record).Length);
        Assert.Equal(Hex(PayloadHex).AsSpan(0, captured - 40).ToArray(), ResponsePayloadExtension.GetPayload(record).ToArray());
    }

    [Fact]
    public void ACountLargerThanTheRecordNeverReadsPastIt()
    {
        var record = new byte[78];
        record[72] = 0xFF;
        record[73] = 0xFF;

        Assert.Equal(4, ResponsePayloadExtension.GetPayload(record).Length);
        Assert.Equal(0, ResponsePayloadExtension.GetPayload(record.AsSpan(0, 64)).Length);
    }

    [Fact]
    public void AServerGrantsAtMostItsLimitAndSendsTheAcknowledgmentBeforeAnyExtendedRecord()
    {
        using var server = StartServer(configure: o => o.ResponsePayloadLimit = 16);
        using var copier = ConnectCopier(server, HelloHex + "54525058 0080 5250 00000000 0001" + AddHex);
        Poll.Until(() => server.Routes == 1, "the route");

        server.Route(Hex(IpTcpHex + PayloadHex), 0x1122334455667788);

        Assert.Equal(Hex("0001" + Ack16Hex), ReadExactly(copier, 2 + 64));
        Assert.Equal(Hex("0001" + IpTcpHex + Zeros(24) + "1122334455667788" + "0010" + "485454502f312e3120323030204f4b0d"), ReadExactly(copier, 2 + 90));
        Assert.Equal(1, server.PayloadLinks);
    }

    [Fact]
    public void ACopierThatDoesNotAskStillGetsSixtyFourByteRecords()
    {
        using var server = StartServer(configure: o => o.ResponsePayloadLimit = 16);
        using var copier = ConnectCopier(server, HelloHex + AddHex);
        Poll.Until(() => server.Routes == 1, "the route");

        server.Route(Hex(IpTcpHex + PayloadHex));

        Assert.Equal(Hex("0001" + IpTcpHex + Zeros(24)), ReadExactly(copier, 2 + 64));
    }

    [Fact]
    public void AServerWithoutTheLimitDeclinesAndKeepsSixtyFourByteRecords()
    {
        using var server = StartServer(configure: o => o.Combined = false);
        using var copier = ConnectCopier(server, HelloHex + Request16Hex + AddHex);
        Poll.Until(() => server.Routes == 1, "the route");

        server.Route(Hex(IpTcpHex + PayloadHex));

        Assert.Equal(Hex("54525058 0000 0001" + Zero56), ReadExactly(copier, 64));
        Assert.Equal(Hex(IpTcpHex + Zeros(24)), ReadExactly(copier, 64));
        Assert.Equal(1, server.PayloadDeclined);
    }

    [Fact]
    public void TheClientAsksRightAfterTheHelloAndHandsTheCarriedBytesToItsSink()
    {
        var sink = new PayloadSink();
        using var client = new InterceptClient([(IPEndPoint)_listener.LocalEndPoint!], FastOptions(o =>
        {
            o.LinksPerServer = 1;
            o.ResponsePayloadBytes = 16;
        }), sink);
        client.Start();
        using var link = Accept();
        Assert.Equal(Hex(HelloHex + Request16Hex), ReadExactly(link, 28));

        link.Send(Hex("0001" + Ack16Hex));
        link.Send(Hex("0001" + IpTcpHex + Zeros(24) + "1122334455667788" + "000c" + "485454502f312e3120323030" + Zeros(4)));

        Poll.Until(() => sink.Count == 1, "one response");
        var (record, payload, capturedAt) = sink.Responses[0];
        Assert.Equal(Hex(IpTcpHex + Zeros(24)), record);
        Assert.Equal("HTTP/1.1 200"u8.ToArray(), payload);
        Assert.Equal(0x1122334455667788, capturedAt);
        Assert.Equal(16, client.ResponsePayloadGranted);
    }

    [Fact]
    public void AClientThatAskedACIntercept_WhichIgnoresTheRequest_ReadsSixtyFourByteRecords()
    {
        var sink = new PayloadSink();
        using var client = new InterceptClient([(IPEndPoint)_listener.LocalEndPoint!], FastOptions(o =>
        {
            o.LinksPerServer = 1;
            o.ResponsePayloadBytes = 16;
        }), sink);
        client.Start();
        using var link = Accept();
        ReadExactly(link, 28);

        link.Send(Hex("0002" + IpTcpHex + Zeros(24) + IpTcpHex + Zeros(24)));

        Poll.Until(() => sink.Count == 2, "two responses");
        Assert.Empty(sink.Responses[0].Payload);
        Assert.Equal(-1, client.ResponsePayloadGranted);
    }

    [Fact]
    public void ServerAndClientAgreeOnTheSmallerSizeEndToEnd()
    {
        using var server = StartServer(configure: o => o.ResponsePayloadLimit = 12);
        var sink = new PayloadSink();
        using var client = new InterceptClient([server.LocalEndPoint], FastOptions(o =>
        {
            o.LinksPerServer = 1;
            o.ResponsePayloadBytes = 128;
        }), sink);
        client.Start();
        WaitConnected(client, 1);
        client.AddClient(FakeClient(1), 40000, Target, 8080);
        Poll.Until(() => server.Routes == 1, "the route");

        server.Route(Hex(IpTcpHex + PayloadHex));

        Poll.Until(() => sink.Count == 1, "one response");
        Assert.Equal("HTTP/1.1 200"u8.ToArray(), sink.Responses[0].Payload);
        Assert.Equal(12, client.ResponsePayloadGranted);
    }

    private static Socket ConnectCopier(InterceptServer server, string hex)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        socket.Connect(server.LocalEndPoint);
        socket.Send(Hex(hex));
        return socket;
    }

    private Socket Accept()
    {
        using var cts = new CancellationTokenSource(Poll.Default);
        var socket = _listener.AcceptAsync(cts.Token).AsTask().GetAwaiter().GetResult();
        socket.NoDelay = true;
        return socket;
    }

    private sealed class PayloadSink : IResponsePayloadSink
    {
        private readonly Lock _lock = new();
        private readonly List<(byte[] Record, byte[] Payload, long CapturedAt)> _responses = [];

        public int Count
        {
            get
            {
                lock (_lock)
                {
                    return _responses.Count;
                }
            }
        }

        public IReadOnlyList<(byte[] Record, byte[] Payload, long CapturedAt)> Responses
        {
            get
            {
                lock (_lock)
                {
                    return [.. _responses];
                }
            }
        }

        public void OnResponse(ReadOnlySpan<byte> record, ReadOnlySpan<byte> payloadPrefix, long captureTimestampNanoseconds, int interceptIndex)
        {
            lock (_lock)
            {
                _responses.Add((record.ToArray(), payloadPrefix.ToArray(), captureTimestampNanoseconds));
            }
        }

        public void OnResponse(ReadOnlySpan<byte> record, int interceptIndex) => OnResponse(record, [], 0, interceptIndex);

        public void OnLinkStateChanged(InterceptLinkStatus status)
        {
        }
    }
}
