namespace TcpReplay.Engine.Tests.Lab;

/// <summary>
/// The two shapes of an online host the capture tests need, on 198.18.0.0/15:
/// <list type="bullet">
/// <item>Direct: client (198.18.0.10, eth0) ↔ online (198.18.0.20, eth0), the service listens in online.</item>
/// <item>DNAT: the same, but online forwards port 8080 with an iptables DNAT rule to a nested namespace "svc"
/// (198.18.1.2, behind online's 198.18.1.1), as Docker publishes a container's port.</item>
/// </list>
/// </summary>
internal static class LabTopology
{
    public const string Client = "client";
    public const string Online = "online";
    public const string Service = "svc";
    public const string ClientAddress = "198.18.0.10";
    public const string OnlineAddress = "198.18.0.20";
    public const string ServiceAddress = "198.18.1.2";
    public const string OnlineInterface = "eth0";
    public const string OnlineMac = "02:00:00:00:00:20";
    public const string ClientMac = "02:00:00:00:00:10";
    public const ushort Port = 8080;

    public static void Direct(LabNetwork lab)
    {
        lab.AddNamespace(Client);
        lab.AddNamespace(Online);
        lab.AddVeth(Client, "eth0", ClientAddress + "/24", ClientMac, Online, OnlineInterface, OnlineAddress + "/24", OnlineMac);
    }

    public static void Dnat(LabNetwork lab)
    {
        Direct(lab);
        lab.AddNamespace(Service);
        lab.AddVeth(Online, "svc0", "198.18.1.1/24", "02:00:00:00:01:01", Service, "eth0", ServiceAddress + "/24", "02:00:00:00:01:02");
        lab.Run(Service, "ip", "route", "add", "default", "via", "198.18.1.1");
        lab.Run(Online, "sysctl", "-q", "-w", "net.ipv4.ip_forward=1");
        lab.Run(Online, "iptables", "-t", "nat", "-A", "PREROUTING", "-p", "tcp", "--dport", Port.ToString(),
            "-j", "DNAT", "--to-destination", $"{ServiceAddress}:{Port}");
    }
}
