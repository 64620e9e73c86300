using System.Text.Json;

namespace StreamingService;

/// <summary>
/// Appends one JSON object per line to a file, flushed at once so that a test reading the file sees every finished
/// session or request. Safe for concurrent writers (one lock; the lines are short and rare next to the traffic).
/// </summary>
internal sealed class JsonLineLog : IDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly StreamWriter _writer;
    private readonly Lock _lock = new();

    public JsonLineLog(string path)
    {
        Path = path;
        var directory = System.IO.Path.GetDirectoryName(path);
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        _writer = new StreamWriter(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
    }

    public string Path { get; }

    public void Write<T>(T entry)
    {
        var line = JsonSerializer.Serialize(entry, Json);
        lock (_lock)
        {
            _writer.WriteLine(line);
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _writer.Dispose();
        }
    }
}
