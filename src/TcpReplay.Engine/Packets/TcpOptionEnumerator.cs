namespace TcpReplay.Engine.Packets;

/// <summary>
/// Walks the options of a <see cref="TcpHeader"/> without allocating; usable with <c>foreach</c>.
/// Yields every option that has a length byte; No-Operation padding is skipped and End of Option
/// List ends the walk (RFC 9293 §3.2). A malformed option also ends it, so the walk is safe on
/// bytes changed after parsing.
/// </summary>
public ref struct TcpOptionEnumerator
{
    private readonly Span<byte> _options;
    private int _next;
    private TcpOption _current;

    internal TcpOptionEnumerator(Span<byte> options)
    {
        _options = options;
        _next = 0;
        _current = default;
    }

    public readonly TcpOption Current => _current;

    public readonly TcpOptionEnumerator GetEnumerator() => this;

    public bool MoveNext()
    {
        while (_next < _options.Length)
        {
            byte kind = _options[_next];
            if (kind == (byte)TcpOptionKind.EndOfOptionList)
            {
                break;
            }

            if (kind == (byte)TcpOptionKind.NoOperation)
            {
                _next++;
                continue;
            }

            if (_next + TcpFields.OptionLengthPosition >= _options.Length)
            {
                break;
            }

            int length = _options[_next + TcpFields.OptionLengthPosition];
            if (length < TcpFields.OptionMinimumLength || length > _options.Length - _next)
            {
                break;
            }

            _current = new TcpOption(
                (TcpOptionKind)kind,
                _options.Slice(_next + TcpFields.OptionDataPosition, length - TcpFields.OptionDataPosition),
                TcpFields.OptionsPosition + _next);
            _next += length;
            return true;
        }

        _next = _options.Length;
        _current = default;
        return false;
    }
}
