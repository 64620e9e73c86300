using System.Diagnostics.Metrics;
using System.Text;
using TcpReplay.Engine.Capture;
using TcpReplay.Engine.Channel;
using TcpReplay.Engine.Connections;

namespace TcpReplay.Engine.Statistics;

/// <summary>
/// The engine's counters as System.Diagnostics.Metrics instruments of one Meter named <see cref="MeterName"/>, so
/// <c>dotnet-counters monitor --counters TcpReplay</c>, OpenTelemetry and <see cref="MetricsEndpoint"/> read them.
/// </summary>
/// <remarks>
/// Every instrument is observable: its callback reads the statistics the sessions keep anyway, when a collector asks
/// (a scrape, a dotnet-counters interval), so the packet path does no extra work. Sessions register a source while they
/// run; each measurement carries the session's name (<see cref="SessionTag"/>). Instrument names, units and tags follow
/// the OpenTelemetry naming habits: dotted lower-case names, UCUM units (<c>By</c>, <c>s</c>, <c>{packet}</c>).
/// docs/metrics.md lists them all.
/// </remarks>
public static class ReplayMetrics
{
    public const string MeterName = "TcpReplay";

    /// <summary>The session name tag on every measurement.</summary>
    public const string SessionTag = "tcpreplay.session";

    /// <summary>Why a copied connection ended: a <see cref="CloseReason"/> in snake_case, for example <c>copier_reset</c>.</summary>
    public const string CloseReasonTag = "tcpreplay.close_reason";

    /// <summary>Why a handshake failed: a <see cref="HandshakeFailure"/> in snake_case, for example <c>no_syn_ack</c>.</summary>
    public const string HandshakeFailureTag = "tcpreplay.handshake_failure";

    /// <summary>The capture layer: <c>ip_layer</c>, <c>datalink</c> or <c>none</c> (Auto changes it once it has decided).</summary>
    public const string CaptureLayerTag = "tcpreplay.capture.layer";

    /// <summary>Which kind of session captures: <c>copy</c> or <c>intercept</c>.</summary>
    public const string RoleTag = "tcpreplay.role";

    /// <summary>Why the capture lost a packet: <c>kernel</c>, <c>buffer_pool_empty</c>, <c>sink_failed</c>.</summary>
    public const string DropReasonTag = "tcpreplay.capture.drop_reason";

    /// <summary>An intercept endpoint (<c>address:port</c>) a copier links to.</summary>
    public const string InterceptServerTag = "tcpreplay.intercept.server";

    /// <summary>A copier record type at the intercept: <c>add</c>, <c>delete</c>, <c>unknown</c>.</summary>
    public const string RecordTypeTag = "tcpreplay.record_type";

    /// <summary>The OpenTelemetry attribute for an error's kind; here the errno name of a send error, for example <c>EMSGSIZE</c>.</summary>
    public const string ErrorTypeTag = "error.type";

    private static readonly Lock Gate = new();
    private static readonly string[] CloseReasonNames = SnakeCaseNames<CloseReason>();
    private static readonly string[] HandshakeFailureNames = SnakeCaseNames<HandshakeFailure>();
    private static readonly string[] CaptureLayerNames = SnakeCaseNames<CaptureLayer>();
    private static CopyMetricsSource[] _copies = [];
    private static InterceptMetricsSource[] _intercepts = [];

    /// <summary>The Meter; created once with the instruments, never disposed (it lives as long as the process).</summary>
    public static Meter Meter { get; } = CreateMeter();

    /// <summary>Shows the copy's figures until the returned registration is disposed.</summary>
    public static IDisposable Register(CopyMetricsSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        _ = Meter;
        lock (Gate)
        {
            _copies = [.. _copies, source];
        }

        return new Registration(() =>
        {
            lock (Gate)
            {
                _copies = [.. _copies.Where(s => s != source)];
            }
        });
    }

    /// <summary>Shows the intercept's figures until the returned registration is disposed.</summary>
    public static IDisposable Register(InterceptMetricsSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        _ = Meter;
        lock (Gate)
        {
            _intercepts = [.. _intercepts, source];
        }

        return new Registration(() =>
        {
            lock (Gate)
            {
                _intercepts = [.. _intercepts.Where(s => s != source)];
            }
        });
    }

    /// <summary>The tag value of a close reason, for example <c>copier_reset</c> for <see cref="CloseReason.CopierReset"/>.</summary>
    public static string TagValue(CloseReason reason) => CloseReasonNames[(int)reason];

    /// <summary>The tag value of a handshake failure, for example <c>no_syn_ack</c>.</summary>
    public static string TagValue(HandshakeFailure failure) => HandshakeFailureNames[(int)failure];

    /// <summary>The tag value of a capture layer, for example <c>ip_layer</c>.</summary>
    public static string TagValue(CaptureLayer layer) => CaptureLayerNames[(int)layer];

    private static Meter CreateMeter()
    {
        var meter = new Meter(MeterName, typeof(ReplayMetrics).Assembly.GetName().Version?.ToString(3));
        AddCopyInstruments(meter);
        AddCaptureInstruments(meter);
        AddInterceptInstruments(meter);
        return meter;
    }

    private static void AddCopyInstruments(Meter meter)
    {
        // The counters from the one table: counts as they are, times in seconds; a maximum is no metric (it does not add up).
        foreach (var counter in CopyStatistics.Counters)
        {
            switch (counter.Kind)
            {
                case CopyCounterKind.Count when counter.Metric is { } name:
                    meter.CreateObservableCounter(name, () => PerCopy(counter.Read), counter.Unit, counter.Description);
                    break;
                case CopyCounterKind.Ticks when counter.Metric is { } name:
                    meter.CreateObservableCounter(name, () => PerCopy(s => TimeSpan.FromTicks(counter.Read(s)).TotalSeconds), counter.Unit, counter.Description);
                    break;
            }
        }

        meter.CreateObservableGauge("tcpreplay.copy.estimated_capture_loss", () => PerCopy(s => s.EstimatedCaptureLoss), "1",
            "Estimated share of client bytes the capture missed, 0..1.");
        meter.CreateObservableUpDownCounter("tcpreplay.copy.active_connections", () => PerCopy(ActiveConnections), "{connection}",
            "Copied connections open now (opened minus ended).");
        meter.CreateObservableCounter("tcpreplay.copy.connections", ClosedConnections, "{connection}",
            $"Copied connections that ended, by close reason ({CloseReasonTag}).");
        meter.CreateObservableCounter("tcpreplay.copy.handshake_failures", HandshakeFailures, "{connection}",
            $"Connections whose handshake with the target failed, by cause ({HandshakeFailureTag}).");
        meter.CreateObservableCounter("tcpreplay.copy.send_errors", SendErrors, "{error}",
            $"Sends to the target that failed, by errno ({ErrorTypeTag}).");
        meter.CreateObservableUpDownCounter("tcpreplay.copy.intercept.connected_links", ConnectedLinks, "{link}",
            $"Copier links to each intercept ({InterceptServerTag}) connected now.");
        meter.CreateObservableCounter("tcpreplay.copy.intercept.reconnects", () => PerCopySource(s => s.InterceptReconnects?.Invoke()), "{reconnect}",
            "Intercept links re-made after a failed attempt or a lost connection.");
    }

    private static void AddCaptureInstruments(Meter meter)
    {
        meter.CreateObservableCounter("tcpreplay.capture.received", () => Capture(static (c, tags) => [new(c.Received, tags)]), "{packet}",
            "Packets the capture read from the kernel (before the port and address match).");
        meter.CreateObservableCounter("tcpreplay.capture.delivered", () => Capture(static (c, tags) => [new(c.Delivered, tags)]), "{packet}",
            "Packets that matched and were handed on.");
        meter.CreateObservableCounter("tcpreplay.capture.dropped", () => Capture(static (c, tags) =>
            [
                new(c.KernelDropped, [.. tags, new(DropReasonTag, "kernel")]),
                new(c.BufferPoolEmpty, [.. tags, new(DropReasonTag, "buffer_pool_empty")]),
                new(c.SinkFailed, [.. tags, new(DropReasonTag, "sink_failed")]),
            ]), "{packet}",
            $"Packets the capture lost, by reason ({DropReasonTag}).");
    }

    private static void AddInterceptInstruments(Meter meter)
    {
        InterceptCounter(meter, "tcpreplay.intercept.captured", "{packet}", "Packets the intercept's capture took.", s => s.Service.Captured);
        InterceptCounter(meter, "tcpreplay.intercept.not_ip", "{packet}", "Captured frames that carried no IPv4 packet.", s => s.Service.NotIp);
        InterceptCounter(meter, "tcpreplay.intercept.routed", "{packet}", "Target packets sent on to the copier that announced their connection.", s => s.Service.Server.Routed);
        InterceptCounter(meter, "tcpreplay.intercept.unrouted", "{packet}", "Target packets no copier announced (another service's traffic, or a copier gone).", s => s.Service.Server.Unrouted);
        InterceptCounter(meter, "tcpreplay.intercept.dropped", "{packet}", "Target packets dropped because a copier link's send buffer was full.", s => s.Service.Server.Dropped);
        InterceptCounter(meter, "tcpreplay.intercept.parked", "{packet}", "SYN-ACKs and RSTs held until their copier's announcement arrived.", s => s.Service.Server.Parked);
        InterceptCounter(meter, "tcpreplay.intercept.parked_delivered", "{packet}", "Held packets delivered after a late announcement.", s => s.Service.Server.ParkedDelivered);
        InterceptCounter(meter, "tcpreplay.intercept.parked_expired", "{packet}", "Held packets dropped because their time ran out.", s => s.Service.Server.ParkedExpired);
        InterceptCounter(meter, "tcpreplay.intercept.parked_evicted", "{packet}", "Held packets dropped to make room.", s => s.Service.Server.ParkedEvicted);
        InterceptCounter(meter, "tcpreplay.intercept.invalid_packets", "{packet}", "Captured packets that were not well-formed IPv4/TCP.", s => s.Service.Server.InvalidPackets);
        InterceptCounter(meter, "tcpreplay.intercept.accepted_copiers", "{copier}", "Copier links accepted since start.", s => s.Service.Server.Accepted);
        InterceptCounter(meter, "tcpreplay.intercept.protocol_errors", "{error}", "Copier links closed because the first record was not a hello.", s => s.Service.Server.ProtocolErrors);
        InterceptCounter(meter, "tcpreplay.intercept.version_mismatches", "{link}", "Copier hellos announcing another channel version (accepted, as intercept 1.x does).", s => s.Service.Server.VersionMismatches);
        meter.CreateObservableCounter("tcpreplay.intercept.client_records", ClientRecords, "{record}",
            $"Records received from copiers, by type ({RecordTypeTag}).");
        meter.CreateObservableUpDownCounter("tcpreplay.intercept.copiers", () => PerIntercept(s => (long)s.Service.Server.Copiers), "{copier}",
            "Copier links connected now.");
        meter.CreateObservableUpDownCounter("tcpreplay.intercept.parked_now", () => PerIntercept(s => (long)s.Service.Server.ParkedNow), "{packet}",
            "Packets held right now.");
        meter.CreateObservableUpDownCounter("tcpreplay.intercept.routes", () => PerIntercept(s => (long)s.Service.Server.Routes), "{route}",
            "Fake client endpoints announced and remembered now.");
    }

    private static void InterceptCounter(Meter meter, string name, string unit, string description, Func<InterceptMetricsSource, long> read) =>
        meter.CreateObservableCounter(name, () => PerIntercept(read), unit, description);

    private static KeyValuePair<string, object?> Session(string session) => new(SessionTag, session);

    private static List<Measurement<T>> PerCopy<T>(Func<CopyStatistics, T> read)
        where T : struct
    {
        var sources = Volatile.Read(ref _copies);
        var list = new List<Measurement<T>>(sources.Length);
        foreach (var source in sources)
        {
            list.Add(new Measurement<T>(read(source.Statistics), Session(source.Session)));
        }

        return list;
    }

    private static List<Measurement<long>> PerCopySource(Func<CopyMetricsSource, long?> read)
    {
        var list = new List<Measurement<long>>();
        foreach (var source in Volatile.Read(ref _copies))
        {
            if (read(source) is { } value)
            {
                list.Add(new Measurement<long>(value, Session(source.Session)));
            }
        }

        return list;
    }

    private static List<Measurement<long>> PerIntercept(Func<InterceptMetricsSource, long> read)
    {
        var sources = Volatile.Read(ref _intercepts);
        var list = new List<Measurement<long>>(sources.Length);
        foreach (var source in sources)
        {
            list.Add(new Measurement<long>(read(source), Session(source.Session)));
        }

        return list;
    }

    /// <summary>Opened minus ended: the engine counts both on its own thread, so the difference never goes below zero for long.</summary>
    private static long ActiveConnections(CopyStatistics statistics)
    {
        var ended = 0L;
        for (var reason = CloseReason.None + 1; (int)reason < CloseReasonNames.Length; reason++)
        {
            ended += statistics.Closed(reason);
        }

        return Math.Max(0, statistics.ConnectionsOpened - ended);
    }

    private static List<Measurement<long>> ClosedConnections()
    {
        var list = new List<Measurement<long>>();
        foreach (var source in Volatile.Read(ref _copies))
        {
            // Every reason is reported, zeros too, so a rate query sees a series from the start.
            for (var reason = CloseReason.None + 1; (int)reason < CloseReasonNames.Length; reason++)
            {
                list.Add(new Measurement<long>(source.Statistics.Closed(reason), Session(source.Session), new(CloseReasonTag, CloseReasonNames[(int)reason])));
            }
        }

        return list;
    }

    private static List<Measurement<long>> HandshakeFailures()
    {
        var list = new List<Measurement<long>>();
        foreach (var source in Volatile.Read(ref _copies))
        {
            for (var cause = HandshakeFailure.None + 1; (int)cause < HandshakeFailureNames.Length; cause++)
            {
                list.Add(new Measurement<long>(source.Statistics.HandshakeFailures(cause), Session(source.Session), new(HandshakeFailureTag, HandshakeFailureNames[(int)cause])));
            }
        }

        return list;
    }

    private static List<Measurement<long>> SendErrors()
    {
        var list = new List<Measurement<long>>();
        foreach (var source in Volatile.Read(ref _copies))
        {
            foreach (var (errno, count) in source.Statistics.SendErrorsByErrno)
            {
                list.Add(new Measurement<long>(count, Session(source.Session), new(ErrorTypeTag, ErrnoName(errno))));
            }
        }

        return list;
    }

    private static List<Measurement<long>> ConnectedLinks()
    {
        var list = new List<Measurement<long>>();
        foreach (var source in Volatile.Read(ref _copies))
        {
            if (source.InterceptLinks is null)
            {
                continue;
            }

            foreach (var server in source.InterceptLinks().GroupBy(l => l.Server.ToString()))
            {
                list.Add(new Measurement<long>(server.Count(l => l.State == InterceptLinkState.Connected), Session(source.Session), new(InterceptServerTag, server.Key)));
            }
        }

        return list;
    }

    private static List<Measurement<long>> Capture(Func<CaptureSourceStatistics, KeyValuePair<string, object?>[], Measurement<long>[]> measure)
    {
        var list = new List<Measurement<long>>();
        foreach (var source in Volatile.Read(ref _copies))
        {
            if (source.Capture?.Invoke() is { } statistics)
            {
                var layer = source.CaptureLayer?.Invoke() ?? CaptureLayer.None;
                list.AddRange(measure(statistics, [Session(source.Session), new(RoleTag, "copy"), new(CaptureLayerTag, CaptureLayerNames[(int)layer])]));
            }
        }

        foreach (var source in Volatile.Read(ref _intercepts))
        {
            if (source.Service.CaptureStatistics is { } statistics)
            {
                // The intercept always captures with libpcap: it must see answers the kernel is not forwarding.
                list.AddRange(measure(statistics, [Session(source.Session), new(RoleTag, "intercept"), new(CaptureLayerTag, CaptureLayerNames[(int)CaptureLayer.Datalink])]));
            }
        }

        return list;
    }

    private static List<Measurement<long>> ClientRecords()
    {
        var list = new List<Measurement<long>>();
        foreach (var source in Volatile.Read(ref _intercepts))
        {
            var server = source.Service.Server;
            var deletes = server.DeleteRecords;
            var unknown = server.UnknownRecords;
            // ClientRecords counts every record after the hellos; what is neither DEL nor unknown is an ADD.
            var adds = Math.Max(0, server.ClientRecords - deletes - unknown);
            list.Add(new Measurement<long>(adds, Session(source.Session), new(RecordTypeTag, "add")));
            list.Add(new Measurement<long>(deletes, Session(source.Session), new(RecordTypeTag, "delete")));
            list.Add(new Measurement<long>(unknown, Session(source.Session), new(RecordTypeTag, "unknown")));
        }

        return list;
    }

    private static string ErrnoName(int errno) => errno switch
    {
        1 => "EPERM",
        5 => "EIO",
        9 => "EBADF",
        11 => "EAGAIN",
        22 => "EINVAL",
        90 => "EMSGSIZE",
        100 => "ENETDOWN",
        101 => "ENETUNREACH",
        105 => "ENOBUFS",
        113 => "EHOSTUNREACH",
        _ => $"errno_{errno}",
    };

    private static string[] SnakeCaseNames<TEnum>()
        where TEnum : struct, Enum
    {
        var values = Enum.GetValues<TEnum>();
        var names = new string[values.Length];
        foreach (var value in values)
        {
            var name = value.ToString();
            var text = new StringBuilder(name.Length + 4);
            for (var i = 0; i < name.Length; i++)
            {
                // IpLayer → ip_layer, NoSynAck → no_syn_ack
                if (char.IsUpper(name[i]) && i > 0)
                {
                    text.Append('_');
                }

                text.Append(char.ToLowerInvariant(name[i]));
            }

            names[Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture)] = text.ToString();
        }

        return names;
    }

    private sealed class Registration(Action remove) : IDisposable
    {
        private Action? _remove = remove;

        public void Dispose() => Interlocked.Exchange(ref _remove, null)?.Invoke();
    }
}
