namespace TcpReplay.Engine.Diagnostics;

/// <summary>
/// Checks names that end up as arguments of ip, ethtool and cat, so that a name can never be read as an option
/// ("-h") or a path ("../x").
/// </summary>
internal static class LinuxNames
{
    /// <summary>The kernel's dev_valid_name: 1..15 bytes (IFNAMSIZ less the NUL), not "." or "..", no '/', ':' or white space.</summary>
    public static bool IsValidInterfaceName(string? name) =>
        !string.IsNullOrEmpty(name)
        && name.Length <= 15
        && name is not ("." or "..")
        && !name.StartsWith('-')
        && !name.AsSpan().ContainsAny('/', ':')
        && !name.Any(char.IsWhiteSpace);

    /// <summary>A name under /run/netns: letters, digits, '_', '.', '-'; not starting with '-' or '.'.</summary>
    public static bool IsValidNamespaceName(string? name) =>
        !string.IsNullOrEmpty(name)
        && name.Length <= 64
        && name[0] is not ('-' or '.')
        && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-');

    public static void ThrowIfInvalidInterfaceName(string name, string parameterName)
    {
        ArgumentNullException.ThrowIfNull(name, parameterName);
        if (!IsValidInterfaceName(name))
        {
            throw new ArgumentException($"'{name}' is not a valid interface name (1 to 15 characters, no '/', ':' or spaces, not starting with '-').", parameterName);
        }
    }

    public static void ThrowIfInvalidNamespaceName(string? name, string parameterName)
    {
        if (name is not null && !IsValidNamespaceName(name))
        {
            throw new ArgumentException($"'{name}' is not a valid network namespace name (letters, digits, '_', '.', '-').", parameterName);
        }
    }
}
