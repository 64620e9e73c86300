namespace TcpReplay.Engine.Tests;
