namespace StreamingService;

/// <summary>A command line the program cannot run with; the message names the flag and what it accepts.</summary>
internal sealed class UsageException(string message) : Exception(message);
