namespace TcpReplay.Engine.Connections;

/// <summary>
/// The copier acknowledges the target's data as a Linux client does (RFC 1122 delayed ACK): at once for every second
/// segment, with the next client segment when one goes first, or after <see cref="DelayedAckNanoseconds"/>.
/// </summary>
/// <remarks>
/// Acknowledging each answer with a packet of its own doubled what the copier sent for request-response traffic, and
/// each packet costs the copier's thread the target's kernel work too (veth delivers in the sender's context).
/// Anything out of order, a repeat, or the target's FIN is still acknowledged at once, so the target resends what is
/// missing without waiting.
/// </remarks>
internal sealed partial class ReplayConnection
{
    /// <summary>Linux's shortest delayed-ACK time (TCP_DELACK_MIN, 40 ms).</summary>
    internal const long DelayedAckNanoseconds = 40_000_000;

    private int _segmentsNotAcknowledged;
    private long _ackDueAt = long.MaxValue;

    /// <summary>In-order target data arrived: acknowledge it now if it is the second segment since the last ACK, else soon.</summary>
    private void AcknowledgeInOrderData(long now)
    {
        if (++_segmentsNotAcknowledged >= 2)
        {
            SendAck();
            return;
        }

        if (_ackDueAt == long.MaxValue)
        {
            _ackDueAt = now + DelayedAckNanoseconds;
        }
    }

    /// <summary>A packet carrying the acknowledgment of all target data received went out.</summary>
    private void AcknowledgmentSent()
    {
        _segmentsNotAcknowledged = 0;
        _ackDueAt = long.MaxValue;
    }

    /// <summary>The delayed-ACK timer: sends the acknowledgment no client segment has carried yet.</summary>
    private void SendDueAcknowledgment(long now)
    {
        if (Phase == ConnectionPhase.Established && now >= _ackDueAt)
        {
            SendAck();
        }
    }
}
