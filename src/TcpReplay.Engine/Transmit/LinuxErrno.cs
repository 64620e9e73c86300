namespace TcpReplay.Engine.Transmit;

/// <summary>The Linux errno values the senders return (asm-generic/errno-base.h, errno.h).</summary>
internal static class LinuxErrno
{
    public const int EIO = 5;
    public const int EBADF = 9;
    public const int EINVAL = 22;
    public const int EMSGSIZE = 90;
    public const int ENETUNREACH = 101;
    public const int EHOSTUNREACH = 113;
}
