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
        while (!stop.IsCancellationRequested)
        {
            var message = Receive(TimeSpan.FromMilliseconds(50));
            if (message is null) continue;
            Log.Debug($"{name}: {message.MsgType}");
            try { handler(this, message); }
            catch (Exception e) { Log.Warn($"{name}: handler for {message.MsgType} failed: {e}"); }
        }
    }

    /// <summary>The next valid message within <paramref name="timeout"/>, or null (invalid ones are dropped and logged).</summary>
    Message? Receive(TimeSpan timeout)
    {
        var frames = new List<byte[]>();
        while (true)
        {
            bool got;
            lock (sendLock) got = socket!.TryReceiveMultipartBytes(timeout, ref frames);
            if (!got) return null;
            var message = WireCodec.Decode(frames, signer, out var error);
            if (message is not null) return message;
            Rejected++;
            Log.Warn($"{name}: dropped a message ({error})");
        }
    }

    /// <summary>The messages already waiting on the socket (call from a handler, on the channel's thread).</summary>
    public List<Message> TakePending()
    {
        var pending = new List<Message>();
        while (Receive(TimeSpan.Zero) is { } m) pending.Add(m);
        return pending;
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
