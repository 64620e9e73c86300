using TcpReplay.Engine.Buffers;
using TcpReplay.Engine.Packets;

namespace TcpReplay.Engine.Connections;

public sealed partial class CopyEngine
{
    // The last finished exchanges of the whole copy, by value in a fixed ring: logging one costs a copy, not an allocation.
    private ExchangeSlot[]? _exchangeLog;
    private long[]? _exchangeLogConnection;
    private long _exchangesLogged;
    private readonly Lock _exchangeLogLock = new();

    // Online answers whose client connection the engine does not know yet: the two captures deliver independently,
    // and under load the answer can overtake the client's SYN and request. Kept by value, the oldest overwritten.
    private const int EarlyAnswerCount = 256;
    private readonly EarlyAnswer[] _earlyAnswers = new EarlyAnswer[EarlyAnswerCount];
    private int _nextEarlyAnswer;

    // Entries held: every captured request looks for its early answer, and a copy that sees no online answers (an
    // offline replay, a copy without -CompareResponses) must not scan the 256 empty entries each time.
    private int _earlyAnswersHeld;

    private struct EarlyAnswer
    {
        public ulong ClientKey;
        public uint Sequence;
        public long CapturedAt;
        public int Status;
    }

    /// <summary>
    /// The last finished request/answer exchanges (at most <see cref="CopyEngineOptions.ExchangeLogSize"/>), oldest first,
    /// as a snapshot.
    /// </summary>
    public IReadOnlyList<RequestExchange> GetExchanges()
    {
        lock (_exchangeLogLock)
        {
            if (_exchangeLog is null || _exchangesLogged == 0)
            {
                return [];
            }

            var count = (int)Math.Min(_exchangesLogged, _exchangeLog.Length);
            var list = new RequestExchange[count];
            var first = _exchangesLogged - count;
            for (var i = 0; i < count; i++)
            {
                var at = (int)((first + i) % _exchangeLog.Length);
                list[i] = new RequestExchange(_exchangeLogConnection![at], _exchangeLog[at]);
            }

            return list;
        }
    }

    /// <summary>
    /// Makes the exchange log now and touches its pages, ahead of a burst (an offline replay at Max) that would otherwise
    /// fault them in on the engine thread, one request at a time.
    /// </summary>
    internal void PrepareExchangeLog()
    {
        if (Options.ExchangeLogSize <= 0)
        {
            return;
        }

        lock (_exchangeLogLock)
        {
            _exchangeLog ??= new ExchangeSlot[Options.ExchangeLogSize];
            _exchangeLogConnection ??= new long[Options.ExchangeLogSize];
            Array.Clear(_exchangeLog);
            Array.Clear(_exchangeLogConnection);
        }
    }

    void IConnectionHost.LogExchange(long connectionId, in ExchangeSlot slot)
    {
        if (Options.ExchangeLogSize <= 0)
        {
            return;
        }

        lock (_exchangeLogLock)
        {
            _exchangeLog ??= new ExchangeSlot[Options.ExchangeLogSize];
            _exchangeLogConnection ??= new long[Options.ExchangeLogSize];
            var at = (int)(_exchangesLogged % _exchangeLog.Length);
            _exchangeLog[at] = slot;
            _exchangeLogConnection[at] = connectionId;
            _exchangesLogged++;
        }
    }

    private static int HttpStatusOf(ReadOnlySpan<byte> payload) => TcpReplay.Engine.Statistics.HttpHead.TryGetStatusCode(payload, out var code) ? code : 0;

    long IConnectionHost.FreshNanoseconds() => NowNanoseconds();

    bool IConnectionHost.TakeEarlyOnlineAnswer(ulong clientKey, uint sequence, out long capturedAt, out int status)
    {
        for (var i = 0; _earlyAnswersHeld > 0 && i < _earlyAnswers.Length; i++)
        {
            ref var answer = ref _earlyAnswers[i];
            if (answer.ClientKey == clientKey && answer.Sequence == sequence && answer.ClientKey != 0)
            {
                capturedAt = answer.CapturedAt;
                status = answer.Status;
                answer = default;
                _earlyAnswersHeld--;
                return true;
            }
        }

        capturedAt = 0;
        status = 0;
        return false;
    }

    /// <summary>An online server → client packet: goes to the copy of that client connection, if the copy follows it.</summary>
    private void OnOnlineFrame(PacketBuffer buffer, LinkType linkType)
    {
        var status = TcpPacket.TryParse(linkType, buffer.Span, out var packet);
        if (status == PacketParseStatus.Ok && packet.IpVersion == 4)
        {
            Statistics.OnlinePacketsSeenField++;
            var tcp = packet.Tcp;
            var key = ReplayConnection.ClientKey(packet.Ipv4.DestinationAddress, tcp.DestinationPort, tcp.SourcePort);
            if (_byClient.TryGetValue(key, out var connection) && connection.Phase != ConnectionPhase.Ended)
            {
                connection.OnOnlinePacket(tcp, packet.PayloadLength, buffer.TimestampNanoseconds);
            }
            else if (packet.PayloadLength > 0)
            {
                Statistics.OnlinePacketsUnmatchedField++;
                var answerStatus = HttpStatusOf(ReplayConnection.CapturedPayload(tcp, packet.PayloadLength));
                if (_earlyAnswers[_nextEarlyAnswer].ClientKey == 0)
                {
                    _earlyAnswersHeld++;
                }

                _earlyAnswers[_nextEarlyAnswer] = new EarlyAnswer { ClientKey = key, Sequence = tcp.SequenceNumber, CapturedAt = buffer.TimestampNanoseconds, Status = answerStatus };
                _nextEarlyAnswer = (_nextEarlyAnswer + 1) % EarlyAnswerCount;
            }
        }

        PacketBufferPool.ReturnToOwner(buffer);
    }
}
