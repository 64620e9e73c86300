namespace TcpReplay.Engine;
