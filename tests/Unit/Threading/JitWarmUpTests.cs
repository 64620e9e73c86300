using System.Runtime.InteropServices;
using TcpReplay.Engine.Connections;
using TcpReplay.Engine.Diagnostics;
using TcpReplay.Engine.Offline;
using TcpReplay.Engine.Packets;
using TcpReplay.Engine.Threading;
using TcpReplay.Engine.Transmit;

namespace TcpReplay.Engine.Tests.Threading;

/// <summary>The offline replay compiles the packet path before its timeline starts (JitWarmUp).</summary>
public partial class JitWarmUpTests
{
    [Fact]
    public void CompilesEveryConcreteMethodAndConstructorAndSkipsWhatCannotBeCompiledAhead()
    {
        // Sample: two methods and the constructor; the generic method is not compiled ahead.
        Assert.Equal(3, JitWarmUp.Prepare([typeof(Sample)]));
        // The abstract method has no code, the constructor has.
        Assert.Equal(1, JitWarmUp.Prepare([typeof(Abstract)]));
        // A P/Invoke (blittable: the generator emits the import itself) is bound at first call, not compiled.
        Assert.Equal(0, JitWarmUp.Prepare([typeof(WithNative)]));
        Assert.Equal(0, JitWarmUp.Prepare([typeof(OpenGeneric<>)]));
    }

    [Fact]
    public void ThePacketPathCoversTheEngineThreadsCodeAndNotTheDiagnostics()
    {
        var types = JitWarmUp.PacketPathTypes().ToHashSet();

        Assert.Contains(typeof(CopyEngine), types);
        Assert.Contains(typeof(PrecisionScheduler), types);
        Assert.Contains(typeof(RawIpSender), types);
        Assert.Contains(typeof(TcpPacket), types);
        Assert.DoesNotContain(typeof(ArpProbe), types);
    }

    [Fact]
    public void TheInterceptPathCoversItsCaptureRoutingAndChannelAndNotTheCopyEngine()
    {
        var types = JitWarmUp.InterceptPathTypes().ToHashSet();

        Assert.Contains(typeof(TcpReplay.Engine.Intercept.InterceptService), types);
        Assert.Contains(typeof(TcpReplay.Engine.Capture.PcapCapture), types);
        Assert.Contains(typeof(TcpReplay.Engine.Channel.InterceptServer), types);
        Assert.Contains(typeof(TcpPacket), types);
        Assert.DoesNotContain(typeof(CopyEngine), types);
        Assert.DoesNotContain(typeof(ArpProbe), types);
        Assert.True(JitWarmUp.Prepare(types) > 200);
    }

    [Fact]
    public void EveryPacketPathMethodCompilesWithoutError()
    {
        // Hundreds of methods; a failure to compile one would throw out of Prepare rather than be counted.
        Assert.True(JitWarmUp.Prepare(JitWarmUp.PacketPathTypes()) > 500);
    }

    private class Sample
    {
        public Sample()
        {
        }

        public int Twice(int value) => value * 2;

        public static string Name() => nameof(Sample);

        public T Same<T>(T value) => value;
    }

    private abstract class Abstract
    {
        public abstract void Run();
    }

    private static partial class WithNative
    {
        [LibraryImport("libc", EntryPoint = "getpid")]
        internal static partial int GetPid();
    }

    private sealed class OpenGeneric<T>
    {
        public T? Value { get; set; }
    }
}
