using TcpReplay.Engine.Buffers;
using TcpReplay.Engine.Packets;
using TcpReplay.Engine.Transmit;

namespace TcpReplay.Engine.Connections;

public sealed partial class CopyEngine
{
    private void OnClientFrame(PacketBuffer buffer, LinkType linkType, long now)
    {
        var status = TcpPacket.TryParse(linkType, buffer.Span, out var packet);
        if (status != PacketParseStatus.Ok || packet.IpVersion != 4)
        {
            if (status is PacketParseStatus.Ok or PacketParseStatus.NotIp or PacketParseStatus.NotTcp or PacketParseStatus.Fragment)
            {
                Statistics.IgnoredPacketsField++;
            }
            else
            {
                Statistics.MalformedPacketsField++;
            }

            PacketBufferPool.ReturnToOwner(buffer);
            return;
        }

        var tcp = packet.Tcp;
        var transfer = FindTransfer(packet.Ipv4.DestinationAddress, tcp.DestinationPort);
        if (transfer is null || _fakeAddresses.Contains(packet.Ipv4.SourceAddress))
        {
            Statistics.IgnoredPacketsField++;
            PacketBufferPool.ReturnToOwner(buffer);
            return;
        }

        if (packet.IsTruncated)
        {
            // A snap length shorter than the packet: the payload is incomplete and must not reach the target.
            Statistics.MalformedPacketsField++;
            PacketBufferPool.ReturnToOwner(buffer);
            return;
        }

        Statistics.ClientPacketsSeenField++;
        Statistics.ClientBytesSeenField += packet.PayloadLength;
        var clientAddress = packet.Ipv4.SourceAddress;
        var key = ReplayConnection.ClientKey(clientAddress, tcp.SourcePort, tcp.DestinationPort);
        var isSyn = ReplayConnection.IsBareSyn(tcp.Flags);
        if (_byClient.TryGetValue(key, out var connection) && isSyn && ReplacesConnection(connection, tcp.SequenceNumber, now))
        {
            connection = null;
        }

        if (connection is null)
        {
            var startsCopy = isSyn || packet.PayloadLength > 0;
            if (!startsCopy)
            {
                // A bare ACK, FIN or RST of a connection we never saw carries nothing to replay.
                Statistics.IgnoredPacketsField++;
                PacketBufferPool.ReturnToOwner(buffer);
                return;
            }

            connection = CreateConnection(transfer, clientAddress, tcp.SourcePort, packet.Ipv4.DestinationAddress, now);
            if (connection is null)
            {
                PacketBufferPool.ReturnToOwner(buffer);
                return;
            }
        }

        connection.OnClientPacket(buffer, packet, now);
    }

    /// <summary>A new SYN on a client endpoint in the table: a reused port ends the old copy, a repeated SYN does not.</summary>
    private bool ReplacesConnection(ReplayConnection connection, uint sequence, long now)
    {
        // Checked first, also for an ended copy: Auto's switch between capture layers delivers the overlap twice, each
        // layer in its own order, so a late copy of the SYN can follow the connection's end. Taken for a new connection,
        // it would open a second copy and replay the late copy of the request after it: one request served twice. Only
        // shortly after the end: a looped offline replay plays a well-known client port again with the same ISN.
        if (connection.HasClientIsn && connection.ClientIsn == sequence
            && (connection.Phase != ConnectionPhase.Ended || now - connection.EndedAt < LateDuplicateWindow))
        {
            return false;
        }

        // The same switch, the other way round: the kept layer's later packets came first, so the copy was opened
        // mid-stream with the copier's own SYN, and the connection's real SYN follows from the other layer, moments
        // later and a little below in sequence space. Taken for a reused port, it would replay the whole connection on a
        // second copy. The client bytes before the copy's start are then not copied: a miss, never a duplicate.
        if (!connection.Record.SynSeen && connection.HasClientIsn && now - connection.CreatedAt < LateDuplicateWindow
            && SequenceNumbers.LessThan(sequence, connection.ClientIsn) && connection.ClientIsn - sequence <= LateSynReach)
        {
            return false;
        }

        if (connection.Phase == ConnectionPhase.Ended)
        {
            Forget(connection);
            return true;
        }

        if (connection.ClientEnded)
        {
            // The client closed that connection and opened a new one from the same port while the copy still plays the
            // old one (the copy lags the client under load): the old copy finishes on its own fake endpoint, and the new
            // one gets another, since the pool skips endpoints in use.
            Forget(connection);
            return true;
        }

        connection.Abort(CloseReason.CopierReset, "The client opened a new connection from the same port; the copier released the old one.", now);
        Forget(connection);
        return true;
    }

    private Transfer? FindTransfer(uint destination, ushort port)
    {
        var transfers = Options.Transfers;
        for (var i = 0; i < transfers.Count; i++)
        {
            if (transfers[i].Matches(destination, port))
            {
                return transfers[i];
            }
        }

        return null;
    }

    private ReplayConnection? CreateConnection(Transfer transfer, uint clientAddress, ushort clientPort, uint onlineAddress, long now)
    {
        if (_byClient.Count >= Options.MaxConnections)
        {
            EvictOldestIdle(now);
        }

        if (!_fakeAddresses.TryAllocate(clientAddress, clientPort, transfer.TargetPort, _fakeKeyInUse, out var fakeAddress))
        {
            Statistics.IgnoredPacketsField++;
            return null;
        }

        var record = new CopiedConnection(++_nextId, clientAddress, clientPort, onlineAddress, transfer.OnlinePort, fakeAddress, clientPort, transfer, UtcNow);
        var connection = new ReplayConnection(this, record, transfer, clientAddress, clientPort, fakeAddress, clientPort, now);
        _byClient[connection.OwnClientKey] = connection;
        _byFake[connection.OwnFakeKey] = connection;
        ActiveConnections = _byClient.Count;
        Statistics.ConnectionsOpenedField++;
        KeepRecord(record);

        if (!_channel.IsConnected)
        {
            connection.EndUnstarted(CloseReason.InterceptUnavailable,
                "No intercept was connected when the client opened this connection, so the target's answers could not come back. The copier keeps retrying the intercept; start it with Start-Intercept on the assistant.", now);
        }

        return connection;
    }

    private void KeepRecord(CopiedConnection record)
    {
        lock (_recordsLock)
        {
            if (_records.Count >= Options.RetainedRecords)
            {
                // Drop a tenth of the oldest ended records at once, so the copy stays amortised O(1) per connection.
                var dropped = 0;
                var budget = Math.Max(1, Options.RetainedRecords / 10);
                _records.RemoveAll(r => !r.IsOpen && dropped++ < budget);
                Statistics.RecordsDroppedField += dropped;
            }

            _records.Add(record);
        }
    }

    private void OnTargetRecord(PacketBuffer buffer, long now)
    {
        _anyTargetResponse = true;
        Statistics.ResponsesReceivedField++;
        var status = TcpPacket.TryParseIp(buffer.Span, out var packet);
        if (status != PacketParseStatus.Ok || packet.IpVersion != 4)
        {
            Statistics.MalformedPacketsField++;
            PacketBufferPool.ReturnToOwner(buffer);
            return;
        }

        var tcp = packet.Tcp;
        Statistics.ResponseBytesField += packet.PayloadLength;
        var key = ReplayConnection.FakeKey(packet.Ipv4.DestinationAddress, tcp.DestinationPort, tcp.SourcePort);
        if (_byFake.TryGetValue(key, out var connection) && connection.TargetAddress == packet.Ipv4.SourceAddress)
        {
            connection.OnTargetPacket(tcp, packet.PayloadLength, ReplayConnection.CapturedPayload(tcp, packet.PayloadLength), buffer.TimestampNanoseconds, now);
        }
        else
        {
            Statistics.UnmatchedResponsesField++;
        }

        PacketBufferPool.ReturnToOwner(buffer);
    }

    internal void RunTimers(long now)
    {
        _timersRunAt = now;
        while (_timers.TryPeek(out var connection, out var due) && due <= now)
        {
            _timers.Dequeue();
            if (connection.ScheduledDue != due)
            {
                continue;
            }

            connection.ScheduledDue = long.MaxValue;
            if (connection.Phase != ConnectionPhase.Ended)
            {
                connection.OnTimer(now);
            }
        }

        _timersRunAt = long.MinValue;

        if (now >= _nextSweep)
        {
            _nextSweep = now + SweepInterval;
            Sweep(now);
        }
    }

    /// <summary>Once a second: idle and age limits, and forgetting ended copies whose client has gone quiet.</summary>
    private void Sweep(long now)
    {
        var idle = Options.IdleTimeout.Ticks * 100;
        var maxAge = Options.MaxConnectionAge.Ticks * 100;
        _scratch.Clear();
        foreach (var connection in _byClient.Values)
        {
            // Kept a while even when the client has closed: late copies of its segments (a capture layer switch,
            // a client retransmission) must be absorbed, not replayed as a new connection opened mid-stream.
            if (connection.Phase == ConnectionPhase.Ended && now - connection.LastActivity > EndedLinger)
            {
                _scratch.Add(connection);
            }
        }

        foreach (var connection in _scratch)
        {
            Forget(connection);
        }

        // Every live copy is in the fake-endpoint table, also one whose client port was reused by a newer connection.
        _scratch.Clear();
        foreach (var connection in _byFake.Values)
        {
            if (now - connection.LastActivity > idle || now - connection.CreatedAt > maxAge)
            {
                _scratch.Add(connection);
            }
        }

        foreach (var connection in _scratch)
        {
            var detail = now - connection.LastActivity > idle
                ? $"No packet either way for {Options.IdleTimeout.TotalSeconds:0} s (idle timeout)."
                : $"The connection reached the total time limit of {Options.MaxConnectionAge}.";
            connection.Abort(CloseReason.Timeout, detail, now);
        }

        _scratch.Clear();
    }

    private void EvictOldestIdle(long now)
    {
        ReplayConnection? oldest = null;
        foreach (var connection in _byClient.Values)
        {
            if (oldest is null || connection.LastActivity < oldest.LastActivity)
            {
                oldest = connection;
            }
        }

        if (oldest is null)
        {
            return;
        }

        Statistics.EvictionsField++;
        oldest.Abort(CloseReason.Evicted, $"The connection table was full ({Options.MaxConnections}); this was the longest idle connection.", now);
        Forget(oldest);
    }

    private void Forget(ReplayConnection connection)
    {
        if (_byClient.TryGetValue(connection.OwnClientKey, out var current) && ReferenceEquals(current, connection))
        {
            _byClient.Remove(connection.OwnClientKey);
        }

        ActiveConnections = _byClient.Count;
    }

    private void AbortAll()
    {
        var now = NowNanoseconds();
        _scratch.Clear();
        _scratch.AddRange(_byClient.Values);
        foreach (var connection in _scratch)
        {
            connection.Abort(CloseReason.Stopped, "The copy was stopped while the connection was open; the copier reset it at the target.", now);
            Forget(connection);
        }

        _scratch.Clear();
    }

    long IConnectionHost.RoundTripEstimate => _roundTripEstimate;

    void IConnectionHost.ReportHandshakeRoundTrip(long nanoseconds)
    {
        if (nanoseconds > 0)
        {
            _roundTripEstimate = _roundTripEstimate == 0 ? nanoseconds : ((7 * _roundTripEstimate) + nanoseconds) / 8;
        }
    }

    void IConnectionHost.Send(ReadOnlySpan<byte> ipPacket, uint destination)
    {
        if (_batchingSender is { } batching)
        {
            if (batching.TryHold(ipPacket, destination))
            {
                return;
            }

            // Full, or too large to hold: what is held goes first, so the target sees the packets in order.
            batching.Flush(this);
            if (batching.TryHold(ipPacket, destination))
            {
                return;
            }
        }

        var errno = _sender.Send(ipPacket, destination);
        if (errno == 0)
        {
            Statistics.PacketsSentField++;
        }
        else
        {
            Statistics.CountSendError(errno);
        }
    }

    // Atomic: a sender with a sending thread of its own (ThreadedRawIpSender) reports from there.
    void ISendOutcome.Sent(int count) => Interlocked.Add(ref Statistics.PacketsSentField, count);

    void ISendOutcome.Failed(int errno) => Statistics.CountSendError(errno);

    /// <summary>Sends what a batching sender holds; the engine loop does it before it waits (internal: the benchmark's seam).</summary>
    internal void FlushHeldPackets() => _batchingSender?.Flush(this);

    void IConnectionHost.Schedule(ReplayConnection connection, long dueNanoseconds)
    {
        // A timer that asks to run again at the instant it is running would keep this loop at that instant for good and
        // freeze every copy: it runs on the engine's next turn instead, with a fresh clock.
        if (dueNanoseconds <= _timersRunAt)
        {
            dueNanoseconds = _timersRunAt + 1;
        }

        if (dueNanoseconds < connection.ScheduledDue)
        {
            connection.ScheduledDue = dueNanoseconds;
            _timers.Enqueue(connection, dueNanoseconds);
        }
    }

    void IConnectionHost.AnnounceClient(ReplayConnection connection) =>
        _channel.AddClient(connection.FakeAddress, connection.FakePort, connection.TargetAddress, connection.TargetPort);

    void IConnectionHost.OnClosed(ReplayConnection connection)
    {
        if (_byFake.TryGetValue(connection.OwnFakeKey, out var current) && ReferenceEquals(current, connection))
        {
            _byFake.Remove(connection.OwnFakeKey);
            _channel.RemoveClient(connection.FakeAddress, connection.FakePort, connection.TargetAddress, connection.TargetPort);
        }
    }

    void IConnectionHost.Reopen(ReplayConnection connection, Queue<PendingSegment> heldSegments)
    {
        Forget(connection);
        var now = NowNanoseconds();
        var reopened = CreateConnection(connection.Transfer, connection.ClientAddress, connection.ClientPort, Addresses.FromIPAddress(connection.Record.OnlineAddress), now);
        if (reopened is null || reopened.Phase == ConnectionPhase.Ended)
        {
            while (heldSegments.Count > 0)
            {
                PacketBufferPool.ReturnToOwner(heldSegments.Dequeue().Buffer);
            }

            return;
        }

        reopened.Adopt(heldSegments, now);
    }
}
