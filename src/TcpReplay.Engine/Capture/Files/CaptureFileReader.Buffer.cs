using System.Buffers;
using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace TcpReplay.Engine.Capture.Files;

// Input buffering: one pooled array, refilled by reads as large as it is free, grown only for a record
// or block longer than it.
public sealed partial class CaptureFileReader
{
    private Span<byte> Unread(int length)
    {
        Debug.Assert(_end - _start >= length, "Ensure(length) must have succeeded.");
        return _buffer.AsSpan(_start, length);
    }

    /// <summary>Makes at least <paramref name="count"/> unread bytes available; false if the input ends first.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool Ensure(int count) => _end - _start >= count || Fill(count);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool Fill(int count)
    {
        Debug.Assert(count <= MaxBufferedBlockLength, "Callers bound lengths before buffering them.");
        int available = _end - _start;
        if (count > _buffer.Length)
        {
            byte[] larger = ArrayPool<byte>.Shared.Rent((int)BitOperations.RoundUpToPowerOf2((uint)count));
            Buffer.BlockCopy(_buffer, _start, larger, 0, available);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = larger;
            _bufferOffset += _start;
            _start = 0;
            _end = available;
        }
        else if (_start > 0)
        {
            // Moving the unread tail (less than one record) to the front lets the next read be large.
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, available);
            _bufferOffset += _start;
            _start = 0;
            _end = available;
        }

        while (_end - _start < count)
        {
            if (_endOfStream)
            {
                return false;
            }

            int read = _stream.Read(_buffer, _end, _buffer.Length - _end);
            if (read == 0)
            {
                _endOfStream = true;
                return false;
            }

            _end += read;
        }

        return true;
    }

    /// <summary>
    /// Moves past <paramref name="count"/> bytes without keeping them, seeking when the stream can.
    /// False if the input ends first.
    /// </summary>
    private bool Skip(long count)
    {
        Debug.Assert(count >= 0, "Skip goes forward only.");
        int available = _end - _start;
        if (count <= available)
        {
            _start += (int)count;
            return true;
        }

        count -= available;
        _bufferOffset += _end;
        _start = 0;
        _end = 0;
        if (_endOfStream)
        {
            return false;
        }

        if (_stream.CanSeek)
        {
            // A length field may point far past the end; some streams (MemoryStream) refuse such a seek.
            long remaining = Math.Max(0, _stream.Length - _stream.Position);
            if (count > remaining)
            {
                _stream.Seek(remaining, SeekOrigin.Current);
                _bufferOffset += remaining;
                _endOfStream = true;
                return false;
            }

            _stream.Seek(count, SeekOrigin.Current);
            _bufferOffset += count;
            return true;
        }

        while (count > 0)
        {
            int read = _stream.Read(_buffer, 0, (int)Math.Min(count, _buffer.Length));
            if (read == 0)
            {
                _endOfStream = true;
                return false;
            }

            _bufferOffset += read;
            count -= read;
        }

        return true;
    }
}
