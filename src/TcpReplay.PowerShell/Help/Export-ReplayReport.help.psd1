@{
    Synopsis    = 'Writes a report of copies to a file: an HTML page with charts, Markdown for a ticket, or JSON and CSV.'
    Description = @'
Export-ReplayReport takes sessions (Start-TcpCopy, Get-TcpCopy, Wait-TcpCopy) and connection records (Get-TcpCopyConnection) from the pipeline, live or deserialized (remoting, Import-Clixml) or imported (Import-Csv, ConvertFrom-Json), and writes one report file. A session brings its settings, its figures, its close reasons, its counters sampled about once a second, and all its connection records.

Html (the default) is one self-contained page: inline CSS and inline SVG charts drawn by the module, no script, nothing fetched from the network. It shows the settings of each run, throughput over time (client packets, sent packets and new connections per second from the session's samples; from the connection records' start times when only records are given), response time percentiles and distributions online vs target, close reasons, online-vs-target mismatches, and the slowest and the failed connections. Response times come from the copy's own histograms when the session carries them (Statistics.OnlineResponseTimes and TargetResponseTimes: every request), otherwise from the records' per-connection response times; mismatch counts (status codes, sizes, silent targets) from the session or, without one, summed over the records. Figures the copy did not measure are marked "not measured". Markdown holds the same sections as tables, for pasting into a ticket; Json holds the whole model (every record and sample); Csv holds one row per connection record.

Without -Format, a path ending in .json, .csv or .md chooses that format; any other is Html. An existing file is overwritten unless -NoClobber; a read-only one only with -Force. -WhatIf shows what would be written. Errors (ErrorId): UnsupportedReportInput (non-terminating: an input that is neither a session nor a connection record), NoReportInput, ReportDirectoryNotFound, ReportFileExists, ReportFileReadOnly, ReportWriteFailed.
'@
    Parameters  = @{
        Path        = 'The file to write. Its extension chooses the format when -Format is not given.'
        InputObject = 'Sessions or connection records; accepts pipeline input. Connection records of a session that is also given are counted once.'
        Format      = 'Html, Json, Csv or Markdown.'
        Title       = 'The heading of the report.'
        Force       = 'Overwrite the file even when it is read-only.'
        NoClobber   = 'Do not overwrite an existing file: fail with ReportFileExists instead.'
    }
    Inputs      = @{
        'TcpReplay.PowerShell.Sessions.TcpCopySession' = 'Sessions, live or deserialized.'
        'TcpReplay.Engine.Connections.CopiedConnection'    = 'Connection records, live, deserialized or imported.'
    }
    Outputs     = @{ 'System.IO.FileInfo' = 'The report file written.' }
    Examples    = @(
        @{
            Title   = 'Copy for a minute, then write the HTML report'
            Code    = "Start-TcpCopy -Transfer '8080-198.18.0.30:8080' -InterceptServer 198.18.0.40 -FakeClientAddress 198.19.0.0/24 -Wait -DurationSeconds 60 | Export-ReplayReport -Path ./report.html"
            Remarks = 'The page opens offline in any browser; its charts are inline SVG.'
        }
        @{
            Title   = 'A Markdown summary of every copy in this session, for a ticket'
            Code    = 'Get-TcpCopy | Export-ReplayReport -Path ./report.md -Title ''Copy of build 42'''
            Remarks = 'The .md extension chooses Markdown.'
        }
        @{
            Title   = 'A report from connection records exported earlier'
            Code    = 'Import-Csv ./connections.csv | Export-ReplayReport -Path ./connections-report.html -NoClobber'
            Remarks = 'Records from Export-Csv keep their figures; throughput is then counted from their start times.'
        }
    )
    Links       = @('Get-TcpCopy', 'Get-TcpCopyConnection', 'Wait-TcpCopy')
}
