using System.Reflection;
using System.Runtime.CompilerServices;

namespace TcpReplay.Engine.Threading;

/// <summary>
/// Compiles the engine's per-packet code before a timeline starts, so that no packet waits for the JIT.
/// </summary>
/// <remarks>
/// Measured in the offline lab: without it, the first 20 connections' packets went out up to 74 ms late, each first
/// call of a method on the packet path compiling it on the spot. Compiling ahead costs a few hundred milliseconds of
/// one core, once per process, while the replay waits for its intercept anyway.
/// </remarks>
internal static class JitWarmUp
{
    private static readonly string[] PacketPathNamespaces =
    [
        "TcpReplay.Engine.Buffers",
        "TcpReplay.Engine.Channel",
        "TcpReplay.Engine.Offline",
        "TcpReplay.Engine.Packets",
        "TcpReplay.Engine.Connections",
        "TcpReplay.Engine.Statistics",
        "TcpReplay.Engine.Transmit",
        "TcpReplay.Engine.Capture.Files",
    ];

    /// <summary>The intercept's side: capture of the target's answers, routing, and the channel to the copiers.</summary>
    private static readonly string[] InterceptPathNamespaces =
    [
        "TcpReplay.Engine.Buffers",
        "TcpReplay.Engine.Capture",
        "TcpReplay.Engine.Channel",
        "TcpReplay.Engine.Intercept",
        "TcpReplay.Engine.Packets",
        "TcpReplay.Engine.Statistics",
    ];

    private static int _done;
    private static int _interceptDone;

    /// <summary>Compiles the methods of the packet-path namespaces once per process; later calls return 0 at once.</summary>
    /// <returns>How many methods were compiled by this call.</returns>
    public static int PreparePacketPath() => Interlocked.Exchange(ref _done, 1) == 0 ? Prepare(PacketPathTypes()) : 0;

    /// <summary>
    /// Compiles the intercept's per-packet code once per process, on a thread of its own: an intercept's first answers
    /// (the first copied connections' SYN-ACKs) then do not wait for the JIT. Measured in the offline lab: without it,
    /// the first connections' handshakes took 12-15 ms through an intercept that had not routed anything yet.
    /// </summary>
    public static void PrepareInterceptPathInBackground()
    {
        if (Interlocked.Exchange(ref _interceptDone, 1) == 0)
        {
            new Thread(() => Prepare(InterceptPathTypes())) { IsBackground = true, Name = "TcpReplay warm-up" }.Start();
        }
    }

    /// <summary>The engine's types whose code runs per packet: buffers, channel, offline timeline, packets, sessions, statistics, transmit, capture files.</summary>
    internal static IEnumerable<Type> PacketPathTypes() => TypesIn(PacketPathNamespaces);

    /// <summary>The types of the intercept's per-packet code: buffers, capture, channel, intercept, packets, statistics.</summary>
    internal static IEnumerable<Type> InterceptPathTypes() => TypesIn(InterceptPathNamespaces);

    private static IEnumerable<Type> TypesIn(string[] namespaces) =>
        typeof(JitWarmUp).Assembly.GetTypes().Where(type => Array.IndexOf(namespaces, type.Namespace) >= 0);

    /// <summary>Compiles every method and constructor the types declare that can be compiled ahead (not abstract, not generic).</summary>
    /// <returns>How many were compiled.</returns>
    internal static int Prepare(IEnumerable<Type> types)
    {
        const BindingFlags Declared = BindingFlags.DeclaredOnly | BindingFlags.Instance | BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic;
        var prepared = 0;
        foreach (var type in types)
        {
            if (type.ContainsGenericParameters)
            {
                continue;
            }

            foreach (var method in type.GetMethods(Declared))
            {
                prepared += TryPrepare(method) ? 1 : 0;
            }

            foreach (var constructor in type.GetConstructors(Declared & ~BindingFlags.Static))
            {
                prepared += TryPrepare(constructor) ? 1 : 0;
            }
        }

        return prepared;
    }

    private static bool TryPrepare(MethodBase method)
    {
        if (method.IsAbstract || method.ContainsGenericParameters || (method.MethodImplementationFlags & MethodImplAttributes.InternalCall) != 0
            || (method.Attributes & MethodAttributes.PinvokeImpl) != 0)
        {
            return false;
        }

        try
        {
            RuntimeHelpers.PrepareMethod(method.MethodHandle);
            return true;
        }
        catch (Exception exception) when (exception is ArgumentException or NotSupportedException or TypeLoadException or BadImageFormatException or MissingMethodException)
        {
            // A method the runtime will not compile ahead (a P/Invoke stub, an unusual signature) is compiled at first call.
            return false;
        }
    }
}
