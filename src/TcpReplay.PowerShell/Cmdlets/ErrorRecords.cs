using System.Management.Automation;

namespace TcpReplay.PowerShell.Cmdlets;

/// <summary>
/// Builds the module's ErrorRecords: one stable ErrorId per cause, and the fix in RecommendedAction, so that a
/// user (or a script matching on FullyQualifiedErrorId) knows what went wrong and what to do.
/// </summary>
internal static class ErrorRecords
{
    public static ErrorRecord Create(Exception exception, string errorId, ErrorCategory category, object? target, string? recommendedAction)
    {
        var record = new ErrorRecord(exception, errorId, category, target);
        if (recommendedAction is not null)
        {
            record.ErrorDetails = new ErrorDetails(exception.Message) { RecommendedAction = recommendedAction };
        }

        return record;
    }

    public static ErrorRecord Create(string message, string errorId, ErrorCategory category, object? target, string? recommendedAction) =>
        Create(new InvalidOperationException(message), errorId, category, target, recommendedAction);
}
