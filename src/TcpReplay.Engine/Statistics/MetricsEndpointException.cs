namespace TcpReplay.Engine.Statistics;

/// <summary>Why a <see cref="MetricsEndpoint"/> could not start.</summary>
public enum MetricsEndpointErrorKind
{
    /// <summary>The URL is not an absolute <c>http://host:port/path</c> (https, a query, user info, a relative URL).</summary>
    InvalidUrl,

    /// <summary>Something already listens on the address and port.</summary>
    AddressInUse,

    /// <summary>The address is not one of this host's (in this network namespace), or the name does not resolve to one.</summary>
    AddressNotAvailable,

    /// <summary>
    /// The exporter's assemblies cannot load: an older copy of one of them (for example Microsoft.Extensions.Primitives
    /// 6.0 from the PSResourceGet module) is already loaded in the process.
    /// </summary>
    DependencyConflict,

    /// <summary>The listener could not start for another reason; the message carries the system's.</summary>
    ListenFailed,
}

/// <summary>A metrics endpoint cannot start; the message names the URL and the cause.</summary>
public sealed class MetricsEndpointException(MetricsEndpointErrorKind kind, string message, Exception? inner = null) : Exception(message, inner)
{
    public MetricsEndpointErrorKind Kind { get; } = kind;
}
