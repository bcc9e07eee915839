using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace TransferNotebooks.Tests.Data;

/// <summary>
/// A tiny HTTP/1.1 server on 127.0.0.1 (random port) for download tests. Each path has a behaviour: serve bytes,
/// answer 404, cut the body short, or stall after the headers.
/// </summary>
sealed class LoopbackServer : IDisposable
{
    public enum Mode { Serve, NotFound, Truncate, Stall }

    readonly TcpListener listener = new(IPAddress.Loopback, 0);
    readonly ConcurrentDictionary<string, (Mode Mode, byte[] Body)> routes = new();
    readonly CancellationTokenSource stop = new();
    readonly Task loop;
    public readonly ConcurrentQueue<string> Requests = new();

    public LoopbackServer()
    {
        listener.Start();
        loop = Task.Run(AcceptLoop);
    }

    public string BaseUrl => $"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/";

    /// <summary>Routes <c>/{prefix}/{name}</c>.</summary>
    public LoopbackServer Add(string path, Mode mode, byte[]? body = null)
    {
        routes[path.TrimStart('/')] = (mode, body ?? []);
        return this;
    }

    async Task AcceptLoop()
    {
        while (!stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await listener.AcceptTcpClientAsync(stop.Token); }
            catch (Exception) { return; }
            _ = Task.Run(() => Handle(client));
        }
    }

    async Task Handle(TcpClient client)
    {
        using var _ = client;
        try
        {
            var stream = client.GetStream();
            var reader = new StreamReader(stream, Encoding.ASCII, false, 1024, leaveOpen: true);
            var requestLine = await reader.ReadLineAsync(stop.Token) ?? "";
            while (!string.IsNullOrEmpty(await reader.ReadLineAsync(stop.Token))) { }
            var path = requestLine.Split(' ').ElementAtOrDefault(1)?.TrimStart('/') ?? "";
            Requests.Enqueue(path);
            if (!routes.TryGetValue(path, out var route)) route = (Mode.NotFound, []);
            switch (route.Mode)
            {
                case Mode.NotFound:
                    await Write(stream, "HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\nConnection: close\r\n\r\nnot found");
                    break;
                case Mode.Serve:
                    await Write(stream, $"HTTP/1.1 200 OK\r\nContent-Length: {route.Body.Length}\r\nContent-Type: application/octet-stream\r\nConnection: close\r\n\r\n");
                    await stream.WriteAsync(route.Body, stop.Token);
                    break;
                case Mode.Truncate:
                    await Write(stream, $"HTTP/1.1 200 OK\r\nContent-Length: {route.Body.Length}\r\nConnection: close\r\n\r\n");
                    await stream.WriteAsync(route.Body.AsMemory(0, route.Body.Length / 2), stop.Token);
                    await stream.FlushAsync(stop.Token);
                    client.Client.Shutdown(SocketShutdown.Both);
                    break;
                case Mode.Stall:
                    await Write(stream, $"HTTP/1.1 200 OK\r\nContent-Length: {route.Body.Length}\r\nConnection: close\r\n\r\n");
                    await stream.WriteAsync(route.Body.AsMemory(0, Math.Min(100, route.Body.Length)), stop.Token);
                    await stream.FlushAsync(stop.Token);
                    await Task.Delay(Timeout.Infinite, stop.Token);
                    break;
            }
        }
        catch (Exception) { /* client went away or server stopped */ }
    }

    Task Write(NetworkStream stream, string text) => stream.WriteAsync(Encoding.ASCII.GetBytes(text), stop.Token).AsTask();

    public void Dispose()
    {
        stop.Cancel();
        listener.Stop();
        try { loop.Wait(2000); } catch (AggregateException) { }
    }
}
