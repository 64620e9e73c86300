namespace TcpReplay.Engine.Channel;

/// <summary>
/// Cuts the bytes one intercept connection sends into response records: records of the negotiated size one after
/// another, or in combined frames (<see cref="CombinedFrame"/>), and the payload extension's acknowledgment, after
/// which records have the granted size (<see cref="ResponsePayloadExtension"/>). It owns the receive buffer and knows
/// no socket, so the framing is tested on bytes alone.
/// </summary>
/// <remarks>
/// The receive loop receives into <see cref="FreeSpace"/>, calls <see cref="Advance"/>, then <see cref="Read"/> until it
/// returns <see cref="ResponseRecordReadResult.NeedMoreData"/>; <see cref="Reset"/> starts a new connection. A record
/// <see cref="Read"/> returns borrows the buffer until the next <see cref="FreeSpace"/>, which moves the unread bytes to
/// the front. Not thread-safe: one receive thread owns it. Allocates only the buffer, once.
/// </remarks>
internal sealed class ResponseRecordReader
{
    private readonly byte[] _buffer;
    private readonly bool _combined;
    private readonly bool _withPayload;
    private readonly bool _payloadRequested;
    private int _filled;
    private int _position;
    private int _recordSize;
    private bool _awaitingAcknowledgment;

    // The combined frame being handed out record by record; its record size is the one in force when it started.
    private int _frameNext;
    private int _frameRecordsLeft;
    private int _frameRecordSize;

    /// <param name="bufferSize">Receive buffer size in bytes; it must hold the largest combined frame.</param>
    /// <param name="combined">The intercept sends combined frames.</param>
    /// <param name="withPayload">Records are the 192-byte payload variant.</param>
    /// <param name="payloadRequested">The copier asked for the payload extension, so one acknowledgment is expected first.</param>
    public ResponseRecordReader(int bufferSize, bool combined, bool withPayload, bool payloadRequested)
    {
        _buffer = new byte[bufferSize];
        _combined = combined;
        _withPayload = withPayload;
        _payloadRequested = payloadRequested;
        Reset();
    }

    /// <summary>Payload bytes the records carry as extended records, once granted; 0 without the extension.</summary>
    public int PayloadBytes { get; private set; }

    /// <summary>After <see cref="ResponseRecordReadResult.PayloadGranted"/>: the bytes the intercept granted (0 when it refused).</summary>
    public int GrantedPayloadBytes { get; private set; }

    /// <summary>After <see cref="ResponseRecordReadResult.ProtocolError"/>: the record count the combined frame announced.</summary>
    public int AnnouncedRecords { get; private set; }

    /// <summary>The most records a combined frame may announce for this variant.</summary>
    public int MaxRecordsPerFrame => ChannelProtocol.MaxRecordsPerFrame(_withPayload);

    /// <summary>Where the next bytes are received; empty when the buffer is full of an unfinished frame.</summary>
    public Span<byte> FreeSpace
    {
        get
        {
            Compact();
            return _buffer.AsSpan(_filled);
        }
    }

    /// <summary>Counts <paramref name="received"/> bytes written into <see cref="FreeSpace"/> as buffered.</summary>
    public void Advance(int received) => _filled += received;

    /// <summary>Forgets the buffered bytes and the negotiated record size: a new connection starts.</summary>
    public void Reset()
    {
        _filled = 0;
        _position = 0;
        _frameRecordsLeft = 0;
        _recordSize = ChannelProtocol.RecordSize(_withPayload);
        _awaitingAcknowledgment = _payloadRequested;
        PayloadBytes = 0;
        GrantedPayloadBytes = 0;
        AnnouncedRecords = 0;
    }

    /// <summary>The next record of the buffered bytes.</summary>
    /// <param name="record">On <see cref="ResponseRecordReadResult.Record"/> and <see cref="ResponseRecordReadResult.PayloadGranted"/>, the record's bytes.</param>
    public ResponseRecordReadResult Read(out Span<byte> record)
    {
        if (_frameRecordsLeft > 0)
        {
            return NextOfFrame(out record);
        }

        record = default;
        while (true)
        {
            var rest = _buffer.AsSpan(_position, _filled - _position);
            if (!_combined)
            {
                if (rest.Length < _recordSize)
                {
                    return ResponseRecordReadResult.NeedMoreData;
                }

                record = rest[.._recordSize];
                _position += _recordSize;
                return Classify(record);
            }

            var status = CombinedFrame.TryRead(rest, _recordSize, MaxRecordsPerFrame, out var count, out var frameLength);
            if (status == CombinedFrameStatus.CountTooLarge)
            {
                AnnouncedRecords = count;
                return ResponseRecordReadResult.ProtocolError;
            }

            if (status == CombinedFrameStatus.Incomplete)
            {
                return ResponseRecordReadResult.NeedMoreData;
            }

            _frameNext = _position + ChannelProtocol.CombinedHeaderSize;
            _frameRecordsLeft = count;
            _frameRecordSize = _recordSize;
            _position += frameLength;
            if (count > 0)
            {
                return NextOfFrame(out record);
            }
        }
    }

    private ResponseRecordReadResult NextOfFrame(out Span<byte> record)
    {
        record = _buffer.AsSpan(_frameNext, _frameRecordSize);
        _frameNext += _frameRecordSize;
        _frameRecordsLeft--;
        return Classify(record);
    }

    private ResponseRecordReadResult Classify(ReadOnlySpan<byte> record)
    {
        if (!_awaitingAcknowledgment || !ResponsePayloadExtension.TryReadAcknowledgment(record, out var granted))
        {
            return ResponseRecordReadResult.Record;
        }

        _awaitingAcknowledgment = false;
        GrantedPayloadBytes = granted;
        if (granted > 0)
        {
            PayloadBytes = granted;
            _recordSize = ResponsePayloadExtension.RecordSize(granted);
        }

        return ResponseRecordReadResult.PayloadGranted;
    }

    private void Compact()
    {
        if (_position == 0 || _frameRecordsLeft > 0)
        {
            return;
        }

        _buffer.AsSpan(_position, _filled - _position).CopyTo(_buffer);
        _filled -= _position;
        _position = 0;
    }
}
