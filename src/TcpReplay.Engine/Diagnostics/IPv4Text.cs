namespace TcpReplay.Engine.Diagnostics;

/// <summary>
/// Strict dotted-quad text for IPv4 addresses held as host-order numbers (the first octet is the most
/// significant byte: 198.18.0.1 is 0xC6120001).
/// </summary>
internal static class IPv4Text
{
    /// <summary>
    /// Parses exactly four decimal octets. Shorthand forms ("10.1", "167772161") and leading zeros ("010.0.0.1")
    /// are refused: inet_aton reads a leading zero as octal, so "010" would mean 8 to one tool and 10 to another.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<char> text, out uint address)
    {
        address = 0;
        for (var octetIndex = 0; octetIndex < 4; octetIndex++)
        {
            if (octetIndex > 0)
            {
                if (text.IsEmpty || text[0] != '.')
                {
                    return false;
                }

                text = text[1..];
            }

            var digits = 0;
            while (digits < text.Length && char.IsAsciiDigit(text[digits]))
            {
                digits++;
            }

            if (digits is 0 or > 3 || (digits > 1 && text[0] == '0'))
            {
                return false;
            }

            var octet = 0;
            for (var i = 0; i < digits; i++)
            {
                octet = (octet * 10) + (text[i] - '0');
            }

            if (octet > 255)
            {
                return false;
            }

            address = (address << 8) | (uint)octet;
            text = text[digits..];
        }

        return text.IsEmpty;
    }
}
