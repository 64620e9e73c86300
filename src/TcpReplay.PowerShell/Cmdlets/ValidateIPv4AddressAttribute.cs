using System.Management.Automation;
using System.Net;
using System.Net.Sockets;

namespace TcpReplay.PowerShell.Cmdlets;

/// <summary>Refuses an IPv6 address at binding time: routes, fake clients and ARP here are IPv4 only.</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
internal sealed class ValidateIPv4AddressAttribute : ValidateArgumentsAttribute
{
    protected override void Validate(object arguments, EngineIntrinsics engineIntrinsics)
    {
        if (arguments is IPAddress { AddressFamily: not AddressFamily.InterNetwork } address)
        {
            throw new ValidationMetadataException($"{address} is not an IPv4 address; TcpReplay routes IPv4 only.");
        }
    }
}
