using System.Management.Automation;
using System.Text;
using TcpReplay.Engine.Reports;
using TcpReplay.PowerShell.Reports;

namespace TcpReplay.PowerShell.Cmdlets;

/// <summary>
/// Writes a report of copies to a file: one self-contained HTML page with charts, or Markdown for a ticket, or JSON
/// and CSV for machines. Takes sessions and connection records (live, deserialized or imported) from the pipeline.
/// </summary>
[Cmdlet(VerbsData.Export, "ReplayReport", SupportsShouldProcess = true)]
[OutputType(typeof(FileInfo))]
public sealed class ExportReplayReportCommand : PSCmdlet
{
    private readonly List<PSObject> _inputs = [];

    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = "";

    [Parameter(Mandatory = true, ValueFromPipeline = true)]
    [ValidateNotNull]
    public PSObject[] InputObject { get; set; } = [];

    /// <summary>Html unless given; a .json, .csv or .md path chooses its format.</summary>
    [Parameter]
    public ReportFormat Format { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string Title { get; set; } = "TcpReplay report";

    /// <summary>Overwrites a read-only file (an existing writable file is overwritten anyway, unless -NoClobber).</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    [Parameter]
    [Alias("NoOverwrite")]
    public SwitchParameter NoClobber { get; set; }

    protected override void ProcessRecord() => _inputs.AddRange(InputObject);

    protected override void EndProcessing()
    {
        var path = GetUnresolvedProviderPathFromPSPath(Path);
        var format = MyInvocation.BoundParameters.ContainsKey(nameof(Format)) ? Format : FormatFromExtension(path);
        var builder = new ReportBuilder(DateTime.UtcNow);
        foreach (var input in _inputs)
        {
            if (!builder.TryAdd(input))
            {
                WriteError(ErrorRecords.Create($"A {input.BaseObject.GetType().Name} is neither a copy session nor a connection record; it is left out of the report.",
                    "UnsupportedReportInput", ErrorCategory.InvalidType, input,
                    "Pipe sessions (Start-TcpCopy, Get-TcpCopy) or their connection records (Get-TcpCopyConnection), or those exported and imported again."));
            }
        }

        if (builder.IsEmpty)
        {
            ThrowTerminatingError(ErrorRecords.Create("There is nothing to report: no session and no connection record came in.", "NoReportInput",
                ErrorCategory.InvalidData, null, "Pipe sessions from Get-TcpCopy or records from Get-TcpCopyConnection."));
        }

        var file = new FileInfo(path);
        if (file.Directory is { Exists: false })
        {
            ThrowTerminatingError(ErrorRecords.Create($"The folder {file.DirectoryName} does not exist.", "ReportDirectoryNotFound", ErrorCategory.ObjectNotFound, path,
                "Create the folder first, or give a path in an existing one."));
        }

        if (file.Exists && NoClobber)
        {
            ThrowTerminatingError(ErrorRecords.Create($"{path} exists and -NoClobber was given.", "ReportFileExists", ErrorCategory.ResourceExists, path,
                "Give another -Path, or leave out -NoClobber to overwrite it."));
        }

        // -WhatIf is honoured whatever -Force says: -Force only lifts the read-only attribute.
        if (!ShouldProcess(path, $"Write {format} report"))
        {
            return;
        }

        if (file.Exists && file.IsReadOnly)
        {
            if (!Force)
            {
                ThrowTerminatingError(ErrorRecords.Create($"{path} is read-only.", "ReportFileReadOnly", ErrorCategory.PermissionDenied, path,
                    "Add -Force to overwrite a read-only file, or give another -Path."));
            }

            file.IsReadOnly = false;
        }

        var report = builder.Build(Title);
        try
        {
            using var writer = new StreamWriter(path, append: false, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
            report.Write(format, writer);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            ThrowTerminatingError(ErrorRecords.Create(exception, "ReportWriteFailed", ErrorCategory.WriteError, path, "Check the path and its permissions."));
        }

        // Through the provider, so the FileInfo carries PSPath and the file system's view columns, as Get-Item's does.
        WriteObject(InvokeProvider.Item.Get([path], force: true, literalPath: true), enumerateCollection: true);
    }

    private static ReportFormat FormatFromExtension(string path) => System.IO.Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".json" => ReportFormat.Json,
        ".csv" => ReportFormat.Csv,
        ".md" or ".markdown" => ReportFormat.Markdown,
        _ => ReportFormat.Html,
    };
}
