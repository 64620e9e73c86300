using System.Diagnostics.Metrics;
using TcpReplay.Engine.Connections;
using TcpReplay.Engine.Statistics;

namespace TcpReplay.Engine.Tests.Statistics;

/// <summary>docs/metrics.md is checked against the instruments the engine publishes: one place for each fact, and a test that finds the other drifting.</summary>
public class MetricsDocumentationTests
{
    [Fact]
    public void EveryInstrumentIsDocumentedWithItsUnitAndDescriptionAndNothingElseIs()
    {
        var published = PublishedInstruments();
        var documented = DocumentedInstruments();

        Assert.NotEmpty(published);
        Assert.Empty(published.Keys.Except(documented.Keys));
        Assert.Empty(documented.Keys.Except(published.Keys));
        foreach (var (name, instrument) in published)
        {
            Assert.Equal((name, instrument.Unit), (name, documented[name].Unit));
            Assert.Equal((name, instrument.Description), (name, documented[name].Description));
        }
    }

    [Fact]
    public void EveryCloseReasonAndHandshakeFailureTagValueIsDocumented()
    {
        var text = File.ReadAllText(MetricsDocument());
        var closeReasons = Enum.GetValues<CloseReason>().Where(r => r != CloseReason.None).Select(ReplayMetrics.TagValue);
        var failures = Enum.GetValues<HandshakeFailure>().Where(f => f != HandshakeFailure.None).Select(ReplayMetrics.TagValue);
        foreach (var value in closeReasons.Concat(failures))
        {
            Assert.Contains($"`{value}`", text, StringComparison.Ordinal);
        }
    }

    private static Dictionary<string, (string? Unit, string? Description)> PublishedInstruments()
    {
        _ = ReplayMetrics.TagValue(CloseReason.Completed);
        var instruments = new Dictionary<string, (string? Unit, string? Description)>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, _) =>
            {
                if (instrument.Meter.Name == ReplayMetrics.MeterName)
                {
                    lock (instruments)
                    {
                        instruments[instrument.Name] = (instrument.Unit, instrument.Description);
                    }
                }
            },
        };
        listener.Start();
        return instruments;
    }

    /// <summary>The rows of the instrument tables: | `name` | `unit` | kind | tags | `prometheus name` | description |.</summary>
    private static Dictionary<string, (string Unit, string Description)> DocumentedInstruments()
    {
        var rows = new Dictionary<string, (string Unit, string Description)>();
        foreach (var line in File.ReadLines(MetricsDocument()))
        {
            var cells = line.Split('|', StringSplitOptions.TrimEntries);
            if (cells.Length == 8 && cells[1].StartsWith("`tcpreplay.", StringComparison.Ordinal))
            {
                rows[cells[1].Trim('`')] = (cells[2].Trim('`'), cells[6].Replace("`", "", StringComparison.Ordinal));
            }
        }

        return rows;
    }

    private static string MetricsDocument()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "docs", "metrics.md");
            if (File.Exists(candidate) && File.Exists(Path.Combine(directory.FullName, "TcpReplay.sln")))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException("docs/metrics.md was not found above the test assembly.");
    }
}
