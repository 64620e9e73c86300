using TcpReplay.Engine.Channel;

namespace TcpReplay.Engine.Tests.Channel;

/// <summary>A thread-safe sink that keeps copies of everything the client hands it.</summary>
internal sealed class RecordingSink : IResponseSink
{
    private readonly object _lock = new();
    private readonly List<(byte[] Record, int Intercept)> _records = new();
    private readonly List<InterceptLinkStatus> _states = new();
    private readonly HashSet<int> _deliveringThreads = new();

    public void OnResponse(ReadOnlySpan<byte> record, int interceptIndex)
    {
        lock (_lock)
        {
            _records.Add((record.ToArray(), interceptIndex));
            _deliveringThreads.Add(Environment.CurrentManagedThreadId);
        }
    }

    /// <summary>The managed ids of the threads that delivered records.</summary>
    public IReadOnlyCollection<int> DeliveringThreads
    {
        get
        {
            lock (_lock)
            {
                return _deliveringThreads.ToArray();
            }
        }
    }

    public void OnLinkStateChanged(InterceptLinkStatus status)
    {
        lock (_lock)
        {
            _states.Add(status);
        }
    }

    public IReadOnlyList<(byte[] Record, int Intercept)> Records
    {
        get
        {
            lock (_lock)
            {
                return _records.ToArray();
            }
        }
    }

    public IReadOnlyList<InterceptLinkStatus> States
    {
        get
        {
            lock (_lock)
            {
                return _states.ToArray();
            }
        }
    }

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _records.Count;
            }
        }
    }

    public IReadOnlyList<ushort> ClientPorts => Records.Select(r => ChannelTestPackets.RecordClientPort(r.Record)).ToArray();
}
