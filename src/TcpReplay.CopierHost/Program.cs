using TcpReplay.Engine.Hosting;

// stdout carries the session's frames only: anything else written to the console goes to stderr, which the session
// keeps the tail of for its error messages.
var frames = Console.OpenStandardOutput();
Console.SetOut(Console.Error);
return CopierHost.Run(Console.OpenStandardInput(), frames);
