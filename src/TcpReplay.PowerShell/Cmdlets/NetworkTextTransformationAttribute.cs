using System.Management.Automation;
using TcpReplay.Engine.Diagnostics;

namespace TcpReplay.PowerShell.Cmdlets;

/// <summary>
/// Lets a typed <see cref="IPv4Network"/> (RouteInfo.FakeClientNetwork, piped by property name) bind to a string
/// parameter. Without it the binder finds no exact match by property name and falls back to converting the whole
/// piped object to a string, which gives its type name.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
internal sealed class NetworkTextTransformationAttribute : ArgumentTransformationAttribute
{
    public override object Transform(EngineIntrinsics engineIntrinsics, object inputData) =>
        (inputData is PSObject wrapped ? wrapped.BaseObject : inputData) switch
        {
            IPv4Network network => new[] { network.ToString() },
            IPv4Network[] networks => networks.Select(n => n.ToString()).ToArray(),
            _ => inputData,
        };
}
