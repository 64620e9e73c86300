namespace TcpReplay.Engine.Diagnostics;

/// <summary>No interface of that name exists (in the network namespace looked in).</summary>
public sealed class NetworkInterfaceNotFoundException : Exception
{
    public NetworkInterfaceNotFoundException(string interfaceName, string? networkNamespace = null)
        : base(networkNamespace is null
            ? $"There is no network interface named '{interfaceName}'."
            : $"There is no network interface named '{interfaceName}' in network namespace '{networkNamespace}'.")
    {
        InterfaceName = interfaceName;
        NetworkNamespace = networkNamespace;
    }

    public string InterfaceName { get; }

    public string? NetworkNamespace { get; }
}
