using System.Buffers.Binary;
using System.Runtime.InteropServices;
using TcpReplay.Engine.Transmit;

namespace TcpReplay.Engine.Buffers;

/// <summary>
/// Native packet slots for sendmmsg(2) and recvmmsg(2): one system call moves a whole batch of packets.
/// </summary>
/// <remarks>
/// <para>A system call is the dearest part of a small packet's trip on a virtual machine: even a null one costs as much
/// as the copier's own work on a request (docs/benchmarks.md). Sending or reading packets one call each cost the copier
/// two of them per copied request.</para>
/// <para>The slots are native memory, so the kernel reads and writes them without pinning, and only the pages a packet
/// touched are resident: 32 slots of 64 KiB for GRO-sized captures take a few pages while the packets are small.</para>
/// <para>Not thread-safe: one thread (the engine's, or the capture's) owns a batch.</para>
/// </remarks>
internal sealed unsafe partial class MessageBatch : IDisposable
{
    private const ushort AddressFamilyInet = 2;
    private const int MsgDontWait = 0x40;
    private const int EIntr = 4;
    private const int EAgain = 11;

    private readonly NativeBlock _memory;
    private readonly byte* _slots;
    private readonly IoVector* _vectors;
    private readonly MultiMessageHeader* _headers;
    private readonly SocketAddressInet* _addresses;

    /// <param name="capacity">Packets per batch.</param>
    /// <param name="slotSize">The largest packet a slot holds.</param>
    public MessageBatch(int capacity, int slotSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(slotSize, 64);
        Capacity = capacity;
        SlotSize = slotSize;
        // One block: the headers (zeroed) first, then the slots, which stay untouched until a packet needs them.
        var headerBytes = (nuint)capacity * (nuint)(sizeof(IoVector) + sizeof(MultiMessageHeader) + sizeof(SocketAddressInet));
        _memory = new NativeBlock(headerBytes, (nuint)capacity * (nuint)slotSize);
        var start = (byte*)_memory.DangerousGetHandle();
        _headers = (MultiMessageHeader*)start;
        _vectors = (IoVector*)(_headers + capacity);
        _addresses = (SocketAddressInet*)(_vectors + capacity);
        _slots = start + headerBytes;
        for (var i = 0; i < capacity; i++)
        {
            _vectors[i].Base = _slots + ((long)i * slotSize);
            _headers[i].Header.Vectors = &_vectors[i];
            _headers[i].Header.VectorCount = 1;
        }
    }

    public int Capacity { get; }

    public int SlotSize { get; }

    /// <summary>Packets held for the next <see cref="Send"/>.</summary>
    public int Count { get; private set; }

    /// <summary>Copies a packet into the next slot, to go to <paramref name="destination"/> with the next <see cref="Send"/>.</summary>
    /// <param name="packet">The whole IPv4 packet.</param>
    /// <param name="destination">IPv4 address, host-order number of the wire value.</param>
    /// <returns>False when every slot is taken or the packet is larger than a slot: send it some other way.</returns>
    public bool TryAdd(ReadOnlySpan<byte> packet, uint destination)
    {
        if (Count == Capacity || packet.Length > SlotSize)
        {
            return false;
        }

        using var use = new Use(_memory);
        var i = Count++;
        packet.CopyTo(new Span<byte>(_vectors[i].Base, SlotSize));
        _vectors[i].Length = (nuint)packet.Length;
        _addresses[i].Family = AddressFamilyInet;
        BinaryPrimitives.WriteUInt32BigEndian(new Span<byte>(&_addresses[i].Address, 4), destination);
        _headers[i].Header.Name = &_addresses[i];
        _headers[i].Header.NameLength = (uint)sizeof(SocketAddressInet);
        return true;
    }

    /// <summary>
    /// Sends the held packets on <paramref name="fd"/> with as few sendmmsg calls as the kernel allows, then empties the
    /// batch. A packet the kernel refuses is reported and skipped; the ones after it are still sent.
    /// </summary>
    /// <param name="fd">A socket that takes a destination address per packet (a raw IPv4 socket).</param>
    /// <param name="outcome">Told how many went out and each refusal's errno.</param>
    public void Send(int fd, ISendOutcome outcome)
    {
        using var use = new Use(_memory);
        var next = 0;
        while (next < Count)
        {
            var sent = sendmmsg(fd, &_headers[next], (uint)(Count - next), 0);
            if (sent > 0)
            {
                outcome.Sent(sent);
                next += sent;
                continue;
            }

            var errno = Marshal.GetLastPInvokeError();
            if (sent < 0 && errno == EIntr)
            {
                continue;
            }

            // sendmmsg reports the error of the first packet it could not send; that one is lost, the rest go on. (It
            // returns 0 only for an empty batch; should it ever do so here, that packet counts as failed, not retried.)
            outcome.Failed(sent < 0 ? errno : LinuxErrno.EIO);
            next++;
        }

        Count = 0;
    }

    /// <summary>Reads as many packets as are queued on <paramref name="fd"/>, up to <see cref="Capacity"/>, without waiting.</summary>
    /// <returns>The number read (0 when none was queued), or -errno.</returns>
    public int Receive(int fd)
    {
        using var use = new Use(_memory);
        for (var i = 0; i < Capacity; i++)
        {
            _vectors[i].Length = (nuint)SlotSize;
            _headers[i].Header.Name = null;
            _headers[i].Header.NameLength = 0;
            _headers[i].Header.Flags = 0;
            _headers[i].Length = 0;
        }

        while (true)
        {
            var received = recvmmsg(fd, _headers, (uint)Capacity, MsgDontWait, null);
            if (received >= 0)
            {
                return received;
            }

            var errno = Marshal.GetLastPInvokeError();
            if (errno == EIntr)
            {
                continue;
            }

            return errno == EAgain ? 0 : -errno;
        }
    }

    /// <summary>The bytes of the <paramref name="index"/>th packet of the last <see cref="Receive"/>.</summary>
    /// <remarks>Valid until the next call on the batch, and only on the thread that owns it (which must not dispose it meanwhile).</remarks>
    public ReadOnlySpan<byte> Received(int index)
    {
        ObjectDisposedException.ThrowIf(_memory.IsClosed, this);
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Capacity);
        // A packet longer than a slot is cut to the slot (recvmmsg reports its full length).
        return new ReadOnlySpan<byte>(_vectors[index].Base, (int)Math.Min(_headers[index].Length, (uint)SlotSize));
    }

    /// <summary>Frees the slots, at once or, when another thread is inside a call (a send stuck in the kernel), as it leaves.</summary>
    public void Dispose() => _memory.Dispose();

    [LibraryImport("libc", SetLastError = true)]
    private static partial int sendmmsg(int fd, MultiMessageHeader* messages, uint count, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int recvmmsg(int fd, MultiMessageHeader* messages, uint count, int flags, void* timeout);

    // The native block; its reference count keeps it alive while a call uses it, whoever disposes it meanwhile.
    private sealed class NativeBlock : SafeHandle
    {
        public NativeBlock(nuint zeroedBytes, nuint otherBytes)
            : base(IntPtr.Zero, ownsHandle: true)
        {
            var start = (byte*)NativeMemory.Alloc(zeroedBytes + otherBytes);
            NativeMemory.Clear(start, zeroedBytes);
            SetHandle((IntPtr)start);
        }

        public override bool IsInvalid => handle == IntPtr.Zero;

        protected override bool ReleaseHandle()
        {
            NativeMemory.Free((void*)handle);
            return true;
        }
    }

    private readonly ref struct Use
    {
        private readonly NativeBlock _memory;

        public Use(NativeBlock memory)
        {
            // Throws ObjectDisposedException once the batch is disposed.
            var added = false;
            memory.DangerousAddRef(ref added);
            _memory = memory;
        }

        public void Dispose() => _memory.DangerousRelease();
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct IoVector
    {
        public byte* Base;
        public nuint Length;
    }

    // struct msghdr (x86-64 and arm64 Linux: 56 bytes).
    [StructLayout(LayoutKind.Sequential)]
    private struct MessageHeader
    {
        public void* Name;
        public uint NameLength;
        public IoVector* Vectors;
        public nuint VectorCount;
        public void* Control;
        public nuint ControlLength;
        public int Flags;
    }

    // struct mmsghdr: the header and the length the kernel sent or received.
    [StructLayout(LayoutKind.Sequential)]
    private struct MultiMessageHeader
    {
        public MessageHeader Header;
        public uint Length;
    }

    // struct sockaddr_in: family, port and address in network order, 8 bytes of zero.
    [StructLayout(LayoutKind.Sequential)]
    private struct SocketAddressInet
    {
        public ushort Family;
        public ushort Port;
        public uint Address;
        public ulong Zero;
    }
}
