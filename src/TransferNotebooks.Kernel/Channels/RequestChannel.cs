using NetMQ;
using NetMQ.Sockets;
using TransferNotebooks.Kernel.Protocol;

namespace TransferNotebooks.Kernel.Channels;

/// <summary>
/// A ROUTER channel (shell or control) served on its own thread: each valid message is handed to the handler on that
/// thread; messages with a missing or wrong signature are dropped and logged.
/// </summary>
public sealed class RequestChannel(string name, string address, MessageSigner signer, Action<RequestChannel, Message> handler) : IDisposable
{
    readonly CancellationTokenSource stop = new();
    readonly Lock sendLock = new();
    RouterSocket? socket;
    Thread? thread;

    public string Name => name;

    /// <summary>Number of messages dropped for a bad or missing signature (or bad framing).</summary>
    public int Rejected { get; private set; }

    public void Start()
    {
        socket = new RouterSocket();
        socket.Options.Linger = TimeSpan.FromMilliseconds(200);
        socket.Bind(address);
        thread = new Thread(Run) { IsBackground = true, Name = name };
        thread.Start();
    }

    /// <summary>Sends <paramref name="message"/> to the peer named in its identities.</summary>
    public void Send(Message message)
    {
        var frames = WireCodec.Encode(message, signer);
        lock (sendLock) socket!.SendMultipartBytes(frames);
    }

    void Run()
    {
        var frames = new List<byte[]>();
        while (!stop.IsCancellationRequested)
        {
            bool got;
            lock (sendLock) got = socket!.TryReceiveMultipartBytes(TimeSpan.FromMilliseconds(50), ref frames);
            if (!got) continue;
            var message = WireCodec.Decode(frames, signer, out var error);
            if (message is null)
            {
                Rejected++;
                Log.Warn($"{name}: dropped a message ({error})");
                continue;
            }
            Log.Debug($"{name}: {message.MsgType}");
            try { handler(this, message); }
            catch (Exception e) { Log.Warn($"{name}: handler for {message.MsgType} failed: {e}"); }
        }
    }

    /// <summary>Stops the receive loop (the current handler finishes first).</summary>
    public void Stop() => stop.Cancel();

    public void Dispose()
    {
        stop.Cancel();
        if (thread is not null && thread != Thread.CurrentThread) thread.Join(3000);
        socket?.Dispose();
    }
}
