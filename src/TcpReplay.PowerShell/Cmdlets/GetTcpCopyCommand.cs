using System.Management.Automation;
using TcpReplay.PowerShell.Sessions;

namespace TcpReplay.PowerShell.Cmdlets;

/// <summary>Lists the copies started in this PowerShell session.</summary>
[Cmdlet(VerbsCommon.Get, "TcpCopy", DefaultParameterSetName = "All")]
[OutputType(typeof(TcpCopySession))]
public sealed class GetTcpCopyCommand : PSCmdlet
{
    [Parameter(Position = 0, ParameterSetName = "Name")]
    [SupportsWildcards]
    public string[] Name { get; set; } = [];

    [Parameter(Mandatory = true, ParameterSetName = "Id")]
    public int[] Id { get; set; } = [];

    protected override void EndProcessing()
    {
        var patterns = Name.Select(n => new WildcardPattern(n, WildcardOptions.IgnoreCase)).ToArray();
        foreach (var session in SessionRegistry<TcpCopySession>.All())
        {
            var matches = ParameterSetName switch
            {
                "Name" => patterns.Any(p => p.IsMatch(session.Name)),
                "Id" => Id.Contains(session.Id),
                _ => true,
            };
            if (matches)
            {
                WriteObject(session);
            }
        }
    }
}
