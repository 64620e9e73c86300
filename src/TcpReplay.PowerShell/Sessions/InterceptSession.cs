using System.Management.Automation;
using TcpReplay.Engine.Intercept;

namespace TcpReplay.PowerShell.Sessions;

/// <summary>A running or stopped intercept on the assistant, as a PowerShell job with live counters.</summary>
public sealed class InterceptSession : Job
{
    private readonly InterceptService _service;

    internal InterceptSession(InterceptService service, string command, string? name, string @interface, int port)
        : base(command, name)
    {
        _service = service;
        PSJobTypeName = "TcpReplayIntercept";
        Interface = @interface;
        Port = port;
        StartTime = DateTime.UtcNow;
    }

    public string Interface { get; }

    /// <summary>The channel port copiers connect to.</summary>
    public int Port { get; }

    public string Filter => _service.Filter;

    public DateTime StartTime { get; }

    /// <summary>Copiers connected now.</summary>
    public int Copiers => _service.Server.Copiers;

    /// <summary>Packets the capture took.</summary>
    public long Captured => _service.Captured;

    /// <summary>Target packets reported to the copier that owns their connection.</summary>
    public long Routed => _service.Server.Routed;

    /// <summary>Target packets no copier announced (another service's traffic, or a copier gone).</summary>
    public long Unrouted => _service.Server.Unrouted;

    /// <summary>SYN-ACKs and RSTs held until their copier's announcement arrived.</summary>
    public long Parked => _service.Server.Parked;

    /// <summary>Announcements (CLIENT_ADD) received from copiers.</summary>
    public long ClientRecords => _service.Server.ClientRecords;

    /// <summary>Copier links granted response payload bytes (Start-Intercept -ResponsePayload, Start-TcpCopy -ResponsePayload).</summary>
    public long PayloadLinks => _service.Server.PayloadLinks;

    public long KernelDropped => _service.CaptureStatistics?.KernelDropped ?? 0;

    public override bool HasMoreData => false;

    public override string Location => Environment.MachineName;

    public override string StatusMessage => $"{Copiers} copiers, {Routed} routed, {Unrouted} unrouted";

    internal void MarkRunning() => SetJobState(JobState.Running);

    public override void StopJob()
    {
        if (JobStateInfo.State is JobState.Stopped or JobState.Failed or JobState.Completed)
        {
            return;
        }

        SetJobState(JobState.Stopping);
        _service.Stop();
        SetJobState(JobState.Stopped);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            StopJob();
        }

        base.Dispose(disposing);
    }
}
