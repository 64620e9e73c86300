using System.Management.Automation;
using System.Net;
using TcpReplay.Engine.Capture;
using TcpReplay.Engine.Channel;
using TcpReplay.Engine.Intercept;
using TcpReplay.Engine.Statistics;
using TcpReplay.PowerShell.Sessions;

namespace TcpReplay.PowerShell.Cmdlets;

/// <summary>Starts capturing the target's answers on the assistant and serving them to copiers.</summary>
[Cmdlet(VerbsLifecycle.Start, "Intercept")]
[OutputType(typeof(InterceptSession))]
public sealed class StartInterceptCommand : PSCmdlet
{
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Interface { get; set; } = string.Empty;

    [Parameter]
    [ValidateRange(1, 65535)]
    public int Port { get; set; } = ChannelProtocol.DefaultPort;

    [Parameter]
    [ValidateNotNull]
    public IPAddress ListenAddress { get; set; } = IPAddress.Any;

    /// <summary>Target service ports whose answers to capture; without it every TCP packet but the channel's is considered.</summary>
    [Parameter]
    [ValidateRange(1, 65535)]
    public int[] TargetPort { get; set; } = [];

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Filter { get; set; }

    /// <summary>Grant copiers that ask for it up to this many bytes of each response's payload (TcpReplay's channel extension).</summary>
    [Parameter]
    [ValidateRange(0, 1024)]
    public int ResponsePayload { get; set; }

    [Parameter]
    public string? Name { get; set; }

    /// <summary>Serves the intercept's metrics in Prometheus text format at this URL (opt-in), for example http://198.18.0.40:9464/.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? MetricsEndpoint { get; set; }

    /// <summary>Start even though ip_forward is 1.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void EndProcessing()
    {
        foreach (var check in new[] { Preflight.CheckPrivileges("Start-Intercept"), Preflight.CheckLibPcap("Start-Intercept"), Preflight.CheckInterface(Interface) })
        {
            if (check is not null)
            {
                ThrowTerminatingError(check);
            }
        }

        var service = new InterceptService(new InterceptServiceOptions
        {
            Interface = Interface,
            Filter = Filter,
            TargetPorts = [.. TargetPort.Select(p => (ushort)p)],
            Server = new InterceptServerOptions { Listen = new IPEndPoint(ListenAddress, Port), ResponsePayloadLimit = ResponsePayload },
            AllowForwarding = Force,
        });

        try
        {
            service.Start();
        }
        catch (InterceptException exception) when (exception.Kind == InterceptErrorKind.IpForwardingEnabled)
        {
            ThrowTerminatingError(ErrorRecords.Create(exception, "IpForwardingEnabled", ErrorCategory.InvalidOperation, Interface,
                "Turn forwarding off on the assistant: sysctl -w net.ipv4.ip_forward=0 (and in /etc/sysctl.conf), or pass -Force if this host must forward."));
        }
        catch (InterceptException exception)
        {
            ThrowTerminatingError(ErrorRecords.Create(exception, "ChannelPortUnavailable", ErrorCategory.ResourceUnavailable, Port,
                "Stop what listens on the port (ss -ltnp), or pass another -Port to Start-Intercept and the same to Start-TcpCopy -InterceptServer address:port."));
        }
        catch (CaptureException exception)
        {
            ThrowTerminatingError(CaptureErrors.From(exception, Interface));
        }

        var session = new InterceptSession(service, MyInvocation.Line, Name, Interface, Port);
        session.MarkRunning();
        SessionMetrics.Attach(this, session, ReplayMetrics.Register(new InterceptMetricsSource(session.Name, service)), MetricsEndpoint);
        JobRepository.Add(session);
        SessionRegistry<InterceptSession>.Add(session);
        WriteObject(session);
    }
}
