using System.Collections.Concurrent;
using System.Text;
using NetMQ;
using NetMQ.Sockets;
using TransferNotebooks.Kernel.Protocol;

namespace TransferNotebooks.Kernel.Channels;

/// <summary>
/// The IOPub channel: a PUB socket owned by one thread; any thread may <see cref="Publish"/> (messages are queued and
/// sent in order, each with a topic frame).
/// </summary>
public sealed class IopubChannel(string address, MessageSigner signer, string kernelId) : IDisposable
{
    readonly BlockingCollection<(string Topic, Message Message)> queue = new();
    readonly ManualResetEventSlim drained = new(true);
    Thread? thread;

    public void Start()
    {
        thread = new Thread(Run) { IsBackground = true, Name = "iopub" };
        thread.Start();
    }

    /// <summary>Queues <paramref name="message"/> for sending.</summary>
    public void Publish(Message message)
    {
        drained.Reset();
        queue.Add(($"kernel.{kernelId}.{message.MsgType}", message));
    }

    /// <summary>Waits until everything queued so far has been sent (or the timeout passes).</summary>
    public void Flush(TimeSpan timeout) => drained.Wait(timeout);

    void Run()
    {
        using var socket = new PublisherSocket();
        socket.Options.SendHighWatermark = 100_000;
        socket.Bind(address);
        foreach (var (topic, message) in queue.GetConsumingEnumerable())
        {
            var frames = WireCodec.Encode(message, signer);
            frames.Insert(0, Encoding.UTF8.GetBytes(topic));
            socket.SendMultipartBytes(frames);
            if (queue.Count == 0) drained.Set();
        }
        // Give subscribers a moment to receive the last messages before the socket closes.
        socket.Options.Linger = TimeSpan.FromMilliseconds(500);
    }

    public void Dispose()
    {
        queue.CompleteAdding();
        thread?.Join(3000);
    }
}
