using System.Management.Automation;

namespace TcpReplay.PowerShell.Cmdlets;

/// <summary>
/// Turns -Path (wildcards) and -LiteralPath arguments into file-system paths, writing a non-terminating error
/// for each argument that names nothing, so that one bad name never stops the other files.
/// </summary>
internal static class CapturePathResolver
{
    public static IEnumerable<string> Resolve(PSCmdlet cmdlet, IEnumerable<string> paths, bool literal)
    {
        foreach (var path in paths)
        {
            foreach (var resolved in ResolveOne(cmdlet, path, literal))
            {
                yield return resolved;
            }
        }
    }

    private static List<string> ResolveOne(PSCmdlet cmdlet, string path, bool literal)
    {
        var result = new List<string>();
        try
        {
            ProviderInfo provider;
            if (literal)
            {
                result.Add(cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(path, out provider, out _));
            }
            else
            {
                result.AddRange(cmdlet.SessionState.Path.GetResolvedProviderPathFromPSPath(path, out provider));
            }

            if (provider.Name != "FileSystem")
            {
                cmdlet.WriteError(ErrorRecords.Create($"'{path}' is on the {provider.Name} provider, not a file system path.",
                    "PathNotOnFileSystem", ErrorCategory.InvalidArgument, path, "Pass the path of a capture file on disk."));
                return [];
            }

            if (result.Count == 0 && WildcardPattern.ContainsWildcardCharacters(path))
            {
                cmdlet.WriteError(ErrorRecords.Create($"No file matches '{path}'.", "PathNotFound", ErrorCategory.ObjectNotFound, path,
                    "Check the pattern, or list the capture files with Get-ChildItem."));
            }
        }
        catch (ItemNotFoundException exception)
        {
            cmdlet.WriteError(ErrorRecords.Create(exception, "PathNotFound", ErrorCategory.ObjectNotFound, path,
                "Check the path, or list the capture files with Get-ChildItem."));
        }

        return result;
    }
}
