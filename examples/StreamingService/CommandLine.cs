using System.Globalization;

namespace StreamingService;

/// <summary>
/// The program's flags, "--name value" pairs (a flag may repeat). Unknown flags and malformed values are reported as a
/// <see cref="UsageException"/> with the flag's name, so a lab script with a typo fails at start, not silently.
/// </summary>
internal sealed class CommandLine
{
    private readonly Dictionary<string, List<string>> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);

    public CommandLine(IEnumerable<string> args)
    {
        string? pending = null;
        foreach (var arg in args)
        {
            if (pending is null)
            {
                if (!arg.StartsWith("--", StringComparison.Ordinal) || arg.Length == 2)
                {
                    throw new UsageException($"Expected a flag such as --port, found '{arg}'.");
                }

                pending = arg[2..];
                continue;
            }

            if (!_values.TryGetValue(pending, out var list))
            {
                _values[pending] = list = [];
            }

            list.Add(arg);
            pending = null;
        }

        if (pending is not null)
        {
            throw new UsageException($"The flag --{pending} needs a value.");
        }
    }

    public string String(string name, string fallback) => Last(name) ?? fallback;

    public IReadOnlyList<string> All(string name)
    {
        _read.Add(name);
        return _values.TryGetValue(name, out var list) ? list : [];
    }

    public int Int(string name, int fallback, int min, int max)
    {
        var text = Last(name);
        if (text is null)
        {
            return fallback;
        }

        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            throw new UsageException($"--{name} must be an integer from {min} to {max}, not '{text}'.");
        }

        return value;
    }

    public double Double(string name, double fallback, double min, double max)
    {
        var text = Last(name);
        if (text is null)
        {
            return fallback;
        }

        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            throw new UsageException($"--{name} must be a number from {min} to {max}, not '{text}'.");
        }

        return value;
    }

    /// <summary>One of an enum's names, case-insensitive, with dashes allowed (close-after-final for CloseAfterFinal).</summary>
    public T Choice<T>(string name, T fallback)
        where T : struct, Enum
    {
        var text = Last(name);
        if (text is null)
        {
            return fallback;
        }

        if (!Enum.TryParse<T>(text.Replace("-", "", StringComparison.Ordinal), ignoreCase: true, out var value) || !Enum.IsDefined(value)
            || text.Any(char.IsDigit))
        {
            var names = string.Join(", ", Enum.GetNames<T>().Select(Kebab));
            throw new UsageException($"--{name} must be one of {names}, not '{text}'.");
        }

        return value;
    }

    private static string Kebab(string pascal) =>
        string.Concat(pascal.Select((c, i) => char.IsUpper(c) && i > 0 ? "-" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));

    /// <summary>Throws for a flag that no option read: a misspelt flag must not be ignored.</summary>
    public void RejectUnknown()
    {
        var unknown = _values.Keys.Where(k => !_read.Contains(k)).Select(k => "--" + k).ToList();
        if (unknown.Count > 0)
        {
            throw new UsageException($"Unknown flag(s): {string.Join(", ", unknown)}.");
        }
    }

    /// <summary>Parses "PATH=NUMBER" (as in --status-path /fail=500).</summary>
    public static (string Path, int Value) PathValue(string flag, string text, int min, int max)
    {
        var eq = text.LastIndexOf('=');
        if (eq <= 0 || !text.StartsWith('/') ||
            !int.TryParse(text.AsSpan(eq + 1), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            throw new UsageException($"--{flag} takes PATH=NUMBER with PATH starting with / and NUMBER from {min} to {max}, not '{text}'.");
        }

        return (text[..eq], value);
    }

    private string? Last(string name)
    {
        _read.Add(name);
        return _values.TryGetValue(name, out var list) ? list[^1] : null;
    }
}
