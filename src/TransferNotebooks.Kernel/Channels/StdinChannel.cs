using System.Text.Json.Nodes;
using NetMQ;
using NetMQ.Sockets;
using TransferNotebooks.Kernel.Protocol;

namespace TransferNotebooks.Kernel.Channels;

/// <summary>The stdin channel: asks the front end for a line of input (input_request / input_reply), from the executing thread.</summary>
public sealed class StdinChannel(string address, MessageSigner signer, string session) : IDisposable
{
    readonly Lock gate = new();
    RouterSocket? socket;

    public void Start()
    {
        socket = new RouterSocket();
        socket.Options.Linger = TimeSpan.Zero;
        socket.Bind(address);
    }

    /// <summary>Sends input_request for <paramref name="parent"/> (an execute_request) and waits for the reply's value.</summary>
    public string? ReadLine(Message parent, string prompt, bool password, CancellationToken cancel)
    {
        lock (gate)
        {
            var request = Message.Reply(parent, "input_request", session, new JsonObject { ["prompt"] = prompt, ["password"] = password });
            socket!.SendMultipartBytes(WireCodec.Encode(request, signer));
            var frames = new List<byte[]>();
            while (!cancel.IsCancellationRequested)
            {
                if (!socket!.TryReceiveMultipartBytes(TimeSpan.FromMilliseconds(100), ref frames)) continue;
                var reply = WireCodec.Decode(frames, signer, out var error);
                if (reply is null) { Log.Warn($"stdin: dropped a message ({error})"); continue; }
                if (reply.MsgType == "input_reply") return Message.Str(reply.Content, "value");
            }
            return null;
        }
    }

    public void Dispose() => socket?.Dispose();
}
