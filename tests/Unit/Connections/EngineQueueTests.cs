using System.Diagnostics;
using TcpReplay.Engine.Buffers;
using TcpReplay.Engine.Connections;
using TcpReplay.Engine.Packets;

namespace TcpReplay.Engine.Tests.Connections;

public sealed class EngineQueueTests
{
    private static readonly PacketBufferPool Pool = new(256, 64);

    private static EngineEvent Client() => new(EngineEventKind.ClientPacket, Pool.Rent(), LinkType.Ipv4);

    private static EngineEvent Answer() => new(EngineEventKind.TargetPacket, Pool.Rent(), LinkType.Ipv4);

    [Fact]
    public void AFullQueueRefusesAtOnceWhenTheProducerDoesNotWait()
    {
        var queue = new EngineQueue(2, 1);
        Assert.True(queue.TryEnqueueClient(Client(), 0));
        Assert.True(queue.TryEnqueueClient(Client(), 0));

        var watch = Stopwatch.StartNew();
        Assert.False(queue.TryEnqueueClient(Client(), 0));
        Assert.True(watch.ElapsedMilliseconds < 50, $"took {watch.ElapsedMilliseconds} ms");
        Assert.True(queue.TryEnqueueAnswer(Answer()));
        Assert.False(queue.TryEnqueueAnswer(Answer()));
        Assert.Equal(3, queue.Count);
    }

    [Fact]
    public void AWaitingProducerGetsInAsSoonAsTheConsumerMakesRoom()
    {
        var queue = new EngineQueue(4, 1);
        for (var i = 0; i < 4; i++)
        {
            Assert.True(queue.TryEnqueueClient(Client(), 0));
        }

        var queued = false;
        var producer = new Thread(() => queued = queue.TryEnqueueClient(Client(), 5000));
        producer.Start();
        Thread.Sleep(150);
        Assert.True(producer.IsAlive, "the producer did not wait for room");

        var watch = Stopwatch.StartNew();
        Assert.Equal(1, queue.DequeueBatch(new EngineEvent[1], TimeSpan.Zero));
        Assert.True(producer.Join(TimeSpan.FromSeconds(5)));
        Assert.True(queued);
        Assert.True(watch.ElapsedMilliseconds < 2000, $"the producer waited {watch.ElapsedMilliseconds} ms after room was made");
        Assert.Equal(4, queue.Count);
    }

    [Fact]
    public void AProducerWaitsNoLongerThanItSaid()
    {
        var queue = new EngineQueue(1, 1);
        Assert.True(queue.TryEnqueueClient(Client(), 0));

        var watch = Stopwatch.StartNew();
        Assert.False(queue.TryEnqueueClient(Client(), 150));
        Assert.InRange(watch.ElapsedMilliseconds, 140, 1500);
    }

    [Fact]
    public void TheTargetsAnswersAreTakenAheadOfTheClientBacklog()
    {
        var queue = new EngineQueue(8, 4);
        var clients = new[] { Client(), Client(), Client() };
        foreach (var item in clients)
        {
            Assert.True(queue.TryEnqueueClient(item, 0));
        }

        var answers = new[] { Answer(), Answer() };
        foreach (var item in answers)
        {
            Assert.True(queue.TryEnqueueAnswer(item));
        }

        var batch = new EngineEvent[4];
        Assert.Equal(4, queue.DequeueBatch(batch, TimeSpan.Zero));
        Assert.Equal([answers[0], answers[1], clients[0], clients[1]], batch);
        Assert.Equal(1, queue.DequeueBatch(batch, TimeSpan.Zero));
        Assert.Equal(clients[2], batch[0]);
    }

    [Fact]
    public void ReleasingProducersEndsTheirWaitAtOnce()
    {
        var queue = new EngineQueue(1, 1);
        Assert.True(queue.TryEnqueueClient(Client(), 0));
        var result = true;
        var producer = new Thread(() => result = queue.TryEnqueueClient(Client(), 30_000));
        producer.Start();
        Thread.Sleep(150);
        Assert.True(producer.IsAlive, "the producer did not wait for room");

        var watch = Stopwatch.StartNew();
        queue.ReleaseProducers();
        Assert.True(producer.Join(TimeSpan.FromSeconds(5)), "the producer still waits");
        Assert.False(result);
        Assert.True(watch.ElapsedMilliseconds < 2000, $"released after {watch.ElapsedMilliseconds} ms");
    }

    [Fact]
    public void WakingTheConsumerDoesNotReleaseAWaitingProducer()
    {
        var queue = new EngineQueue(1, 1);
        Assert.True(queue.TryEnqueueClient(Client(), 0));
        var result = false;
        var producer = new Thread(() => result = queue.TryEnqueueClient(Client(), 10_000));
        producer.Start();
        Thread.Sleep(50);
        queue.Wake();
        Thread.Sleep(100);
        Assert.True(producer.IsAlive, "a consumer wake-up ended the producer's wait");

        Assert.Equal(1, queue.DequeueBatch(new EngineEvent[1], TimeSpan.Zero));
        Assert.True(producer.Join(TimeSpan.FromSeconds(5)));
        Assert.True(result);
    }

    [Fact]
    public void AnAddThatDoesNotWakeLeavesTheConsumerAsleepUntilItIsWokenForTheBatch()
    {
        var queue = new EngineQueue(8, 1);
        var taken = -1;
        var consumer = new Thread(() => taken = queue.DequeueBatch(new EngineEvent[8], TimeSpan.FromSeconds(10)));
        consumer.Start();
        Thread.Sleep(50);

        Assert.True(queue.TryEnqueueClient(Client(), 0, wakeConsumer: false));
        Assert.True(queue.TryEnqueueClient(Client(), 0, wakeConsumer: false));
        Thread.Sleep(150);
        Assert.True(consumer.IsAlive, "an add that should not wake the consumer woke it");

        var watch = Stopwatch.StartNew();
        queue.WakeConsumer();
        Assert.True(consumer.Join(TimeSpan.FromSeconds(5)));
        Assert.Equal(2, taken);
        Assert.True(watch.ElapsedMilliseconds < 2000, $"woken after {watch.ElapsedMilliseconds} ms");
    }

    [Fact]
    public void WakingAConsumerThatDoesNotWaitChangesNothing()
    {
        var queue = new EngineQueue(2, 1);
        queue.WakeConsumer();
        Assert.True(queue.TryEnqueueClient(Client(), 0, wakeConsumer: false));
        Assert.Equal(1, queue.DequeueBatch(new EngineEvent[2], TimeSpan.Zero));
    }
}
