namespace TcpReplay.Engine.Transmit;

/// <summary>Where a batching sender reports what became of the packets it held, once it has sent them.</summary>
public interface ISendOutcome
{
    /// <summary><paramref name="count"/> packets went out.</summary>
    void Sent(int count);

    /// <summary>One packet was refused by the kernel with <paramref name="errno"/>; the ones after it were still tried.</summary>
    void Failed(int errno);
}
