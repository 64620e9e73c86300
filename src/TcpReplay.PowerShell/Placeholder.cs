namespace TcpReplay.PowerShell;
