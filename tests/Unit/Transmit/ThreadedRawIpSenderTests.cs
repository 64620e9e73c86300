using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using TcpReplay.Engine.Tests.Lab;
using TcpReplay.Engine.Transmit;

namespace TcpReplay.Engine.Tests.Transmit;

/// <summary>The raw sender with a sending thread of its own: order, the oversize path, and the outcome it reports.</summary>
public class ThreadedRawIpSenderTests
{
    private const uint Receiver = 0xC6120032; // 198.18.0.50, on the namespace's loopback
    private const uint Source = 0xC6120033;
    private const ushort Port = 9;

    [RootFact]
    public void SendsHeldAndOversizePacketsInTheOrderGivenAndReportsTheBatchesFromItsThread()
    {
        using var lab = new LabNetwork();
        lab.AddNamespace("host");
        lab.Run("host", "ip", "addr", "add", "198.18.0.50/32", "dev", "lo");
        var outcome = new ThreadRecordingOutcome();
        // Across two full batches (128 each), with the oversize one between them; all of them fit the socket's buffer.
        const int Count = 260;
        const int Oversize = 200;
        var received = new List<int>();
        using (NetworkNamespaceScope.Enter(lab.Name("host")))
        using (var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp))
        {
            socket.ReceiveBufferSize = 8 * 1024 * 1024;
            socket.Bind(new IPEndPoint(IPAddress.Parse("198.18.0.50"), Port));
            socket.ReceiveTimeout = 5000;

            // Read while sending: the socket's buffer (net.core.rmem_max) would not hold them all.
            var reader = new Thread(() =>
            {
                var buffer = new byte[4096];
                try
                {
                    while (received.Count < Count)
                    {
                        var length = socket.Receive(buffer);
                        received.Add(BinaryPrimitives.ReadInt32BigEndian(buffer.AsSpan(0, length)));
                    }
                }
                catch (SocketException)
                {
                    // A datagram lost: the comparison below shows which.
                }
            });
            reader.Start();
            using (var sender = new ThreadedRawIpSender())
            {
                for (var i = 0; i < Count; i++)
                {
                    // The engine's way: hold, flush when full or too large, send the oversize one on its own.
                    var packet = Datagram(i, i == Oversize ? 3000 : 4);
                    if (sender.TryHold(packet, Receiver))
                    {
                        continue;
                    }

                    sender.Flush(outcome);
                    if (!sender.TryHold(packet, Receiver))
                    {
                        Assert.Equal(0, sender.Send(packet, Receiver));
                    }
                }

                sender.Flush(outcome);
            }

            reader.Join();
        }

        Assert.Equal(Enumerable.Range(0, Count), received);
        Assert.Equal(Count - 1, outcome.SentCount);
        Assert.Equal(0, outcome.FailedCount);
        Assert.DoesNotContain(Environment.CurrentManagedThreadId, outcome.ReportingThreads);
    }

    // IPv4 + UDP (checksum 0: none) with the sequence number first in the payload.
    private static byte[] Datagram(int sequence, int payloadLength)
    {
        var packet = new byte[20 + 8 + payloadLength];
        packet[0] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), (ushort)packet.Length);
        packet[8] = 64;
        packet[9] = 17;
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(12), Source);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(16), Receiver);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(20), 40000);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(22), Port);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(24), (ushort)(8 + payloadLength));
        BinaryPrimitives.WriteInt32BigEndian(packet.AsSpan(28), sequence);
        return packet;
    }

    private sealed class ThreadRecordingOutcome : ISendOutcome
    {
        private long _sent;
        private long _failed;

        public long SentCount => Interlocked.Read(ref _sent);

        public long FailedCount => Interlocked.Read(ref _failed);

        public HashSet<int> ReportingThreads { get; } = [];

        public void Sent(int count)
        {
            Interlocked.Add(ref _sent, count);
            lock (ReportingThreads)
            {
                ReportingThreads.Add(Environment.CurrentManagedThreadId);
            }
        }

        public void Failed(int errno) => Interlocked.Increment(ref _failed);
    }
}
