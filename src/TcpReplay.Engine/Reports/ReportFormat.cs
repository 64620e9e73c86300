namespace TcpReplay.Engine.Reports;

/// <summary>The file formats a report is written in.</summary>
public enum ReportFormat
{
    /// <summary>One self-contained page with inline SVG charts (<see cref="HtmlReportWriter"/>).</summary>
    Html,

    /// <summary>The whole model for machines (<see cref="JsonReportWriter"/>).</summary>
    Json,

    /// <summary>One row per connection record (<see cref="CsvReportWriter"/>).</summary>
    Csv,

    /// <summary>Tables for pasting into a ticket (<see cref="MarkdownReportWriter"/>).</summary>
    Markdown,
}
