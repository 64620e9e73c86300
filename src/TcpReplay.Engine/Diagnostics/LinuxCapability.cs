namespace TcpReplay.Engine.Diagnostics;

/// <summary>Linux capabilities the tools need, numbered as in linux/capability.h (the bit index in CapEff).</summary>
public enum LinuxCapability
{
    /// <summary>CAP_NET_ADMIN: change routes, addresses, interfaces, sysctls under net.</summary>
    NetAdmin = 12,

    /// <summary>CAP_NET_RAW: open raw and packet sockets (capture and send).</summary>
    NetRaw = 13,

    /// <summary>CAP_SYS_NICE: raise a thread's priority (a negative nice value).</summary>
    SysNice = 23,
}
