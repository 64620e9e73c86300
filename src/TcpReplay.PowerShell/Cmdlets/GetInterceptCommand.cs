using System.Management.Automation;
using TcpReplay.PowerShell.Sessions;

namespace TcpReplay.PowerShell.Cmdlets;

/// <summary>Lists the intercepts started in this PowerShell session.</summary>
[Cmdlet(VerbsCommon.Get, "Intercept")]
[OutputType(typeof(InterceptSession))]
public sealed class GetInterceptCommand : PSCmdlet
{
    [Parameter(Position = 0)]
    [SupportsWildcards]
    public string[] Name { get; set; } = [];

    protected override void EndProcessing()
    {
        var patterns = Name.Select(n => new WildcardPattern(n, WildcardOptions.IgnoreCase)).ToArray();
        foreach (var session in SessionRegistry<InterceptSession>.All())
        {
            if (patterns.Length == 0 || patterns.Any(p => p.IsMatch(session.Name)))
            {
                WriteObject(session);
            }
        }
    }
}
