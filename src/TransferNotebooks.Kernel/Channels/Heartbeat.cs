using NetMQ;
using NetMQ.Sockets;

namespace TransferNotebooks.Kernel.Channels;

/// <summary>The heartbeat channel: echoes every message back, on its own thread.</summary>
public sealed class Heartbeat(string address) : IDisposable
{
    readonly CancellationTokenSource stop = new();
    Thread? thread;

    public void Start()
    {
        thread = new Thread(Run) { IsBackground = true, Name = "heartbeat" };
        thread.Start();
    }

    void Run()
    {
        using var socket = new ResponseSocket();
        socket.Bind(address);
        var frames = new List<byte[]>();
        while (!stop.IsCancellationRequested)
            if (socket.TryReceiveMultipartBytes(TimeSpan.FromMilliseconds(100), ref frames))
                socket.SendMultipartBytes(frames);
    }

    public void Dispose()
    {
        stop.Cancel();
        thread?.Join(2000);
    }
}
