using System.Management.Automation;

namespace TcpReplay.PowerShell.Sessions;

/// <summary>
/// The sessions this PowerShell process started, for Get-TcpCopy and Get-Intercept. Jobs are also added to the
/// runspace's job repository, so Get-Job, Stop-Job and Remove-Job see them too.
/// </summary>
internal static class SessionRegistry<T>
    where T : Job
{
    private static readonly List<T> Sessions = [];
    private static readonly Lock Gate = new();

    public static void Add(T session)
    {
        lock (Gate)
        {
            Sessions.Add(session);
        }
    }

    public static IReadOnlyList<T> All()
    {
        lock (Gate)
        {
            return [.. Sessions];
        }
    }
}
