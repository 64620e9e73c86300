namespace TcpReplay.Engine.Capture;

/// <summary>Where a capture source is in its life.</summary>
public enum CaptureStatus
{
    /// <summary>Opened, <see cref="ICaptureSource.Start"/> not called yet.</summary>
    Created,

    /// <summary>Its capture thread runs.</summary>
    Running,

    /// <summary>Stopped by <see cref="IDisposable.Dispose"/>.</summary>
    Stopped,

    /// <summary>The capture ended by itself on an error (for example the interface went away); see <see cref="ICaptureSource.FailureReason"/>.</summary>
    Failed,
}
