using TcpReplay.Engine.Buffers;
using TcpReplay.Engine.Threading;

namespace TcpReplay.Engine.Transmit;

/// <summary>
/// A raw IPv4 sender (<see cref="RawIpSender"/>'s socket) whose sendmmsg calls run on a thread of their own: the engine
/// fills the next batch while the kernel sends the last one, on another core.
/// </summary>
/// <remarks>
/// <para>A raw socket's packet crosses the veth to the target in the sender's context, so the target's bridge, netfilter,
/// TCP receive and packet taps are charged to whoever sends: more than half of the engine thread's time in an offline
/// replay at Max (docs/benchmarks.md, session 13). Sent from here, that part overlaps the engine's own work.</para>
/// <para>Batches go in the order they were flushed, so the target sees the packets in the order the engine sent them. A
/// packet too large for a batch slot goes after every batch already flushed. The outcome of a batch is reported from
/// the sending thread, so the <see cref="ISendOutcome"/> passed to <see cref="Flush"/> must take calls from any
/// thread. When every batch is in the kernel's hands, <see cref="Flush"/> waits for the oldest: that is the
/// back-pressure on the engine.</para>
/// </remarks>
internal sealed class ThreadedRawIpSender : IBatchingPacketSender
{
    // Batches in turn: one being filled and the rest waiting for, or in, the kernel. More would only let the engine run
    // further ahead of a send path that is slower than it.
    private const int BatchCount = 4;

    // Packets per sendmmsg: a whole batch of the engine's events at Max, so the sending thread wakes once per batch.
    private const int BatchCapacity = 128;

    // A 1500-byte MTU packet with room to spare; larger ones go with Send.
    private const int BatchSlotSize = 2048;

    private static readonly TimeSpan StopWait = TimeSpan.FromSeconds(1);

    private readonly RawIpSender _socket = new();
    private readonly MessageBatch[] _batches = new MessageBatch[BatchCount];
    private readonly object _gate = new();
    private readonly Thread _thread;
    private readonly int _nice;

    // Guarded by _gate: batches handed to the sending thread, and batches it has sent, since the start.
    private long _flushed;
    private long _sent;
    private bool _senderWaiting;
    private bool _ownerWaiting;
    private bool _stopping;
    private bool _senderEnded;
    private ISendOutcome? _outcome;

    /// <param name="nice">The sending thread's nice value (the engine thread's, so neither waits behind the other's rivals); 0 leaves it.</param>
    public ThreadedRawIpSender(int nice = 0)
    {
        for (var i = 0; i < _batches.Length; i++)
        {
            _batches[i] = new MessageBatch(BatchCapacity, BatchSlotSize);
        }

        _nice = nice;
        _thread = new Thread(SendLoop) { IsBackground = true, Name = "TcpReplay sender" };
        _thread.Start();
    }

    // The batch the owner fills: the one after the last flushed, which the sending thread has done with (see Flush).
    private MessageBatch Filling => _batches[_flushed % BatchCount];

    public int Send(ReadOnlySpan<byte> ipPacket, uint destination)
    {
        lock (_gate)
        {
            WaitForSentUpTo(_flushed);
        }

        return _socket.Send(ipPacket, destination);
    }

    public bool TryHold(ReadOnlySpan<byte> ipPacket, uint destination) => Filling.TryAdd(ipPacket, destination);

    public void Flush(ISendOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        if (Filling.Count == 0)
        {
            return;
        }

        lock (_gate)
        {
            _outcome = outcome;
            _flushed++;
            if (_senderWaiting)
            {
                Monitor.PulseAll(_gate);
            }

            // The next batch to fill must be out of the kernel's hands.
            WaitForSentUpTo(_flushed - BatchCount + 1);
        }
    }

    /// <summary>Sends what was flushed (waiting at most a second for a send stuck in the kernel), then closes the socket.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _stopping = true;
            Monitor.PulseAll(_gate);
        }

        if (_thread.Join(StopWait))
        {
            foreach (var batch in _batches)
            {
                batch.Dispose();
            }
        }

        // A batch still in a send keeps its memory until the call returns (MessageBatch counts its users).
        _socket.Dispose();
    }

    private void WaitForSentUpTo(long batches)
    {
        while (_sent < batches && !_senderEnded)
        {
            _ownerWaiting = true;
            Monitor.Wait(_gate);
            _ownerWaiting = false;
        }
    }

    private void SendLoop()
    {
        ThreadNice.TrySetForCurrentThread(_nice);
        try
        {
            SendFlushedBatches();
        }
        finally
        {
            lock (_gate)
            {
                _senderEnded = true;
                Monitor.PulseAll(_gate);
            }
        }
    }

    /// <summary>Sends each flushed batch in turn until stopped with none left.</summary>
    private void SendFlushedBatches()
    {
        while (true)
        {
            MessageBatch batch;
            ISendOutcome outcome;
            lock (_gate)
            {
                while (_sent == _flushed && !_stopping)
                {
                    _senderWaiting = true;
                    Monitor.Wait(_gate);
                    _senderWaiting = false;
                }

                if (_sent == _flushed)
                {
                    return;
                }

                batch = _batches[_sent % BatchCount];
                outcome = _outcome!;
            }

            try
            {
                _socket.SendBatch(batch, outcome);
            }
            catch (ObjectDisposedException)
            {
                return;
            }

            lock (_gate)
            {
                _sent++;
                if (_ownerWaiting)
                {
                    Monitor.PulseAll(_gate);
                }
            }
        }
    }
}
