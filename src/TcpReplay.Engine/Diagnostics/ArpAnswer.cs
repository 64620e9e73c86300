using System.Net.NetworkInformation;

namespace TcpReplay.Engine.Diagnostics;

/// <summary>A host that answered an ARP request: it claims <paramref name="Address"/> (host order) at <paramref name="Mac"/>.</summary>
public sealed record ArpAnswer(uint Address, PhysicalAddress Mac);
