using System.Text;
using System.Text.Json.Nodes;
using TransferNotebooks.Kernel.Protocol;

namespace TransferNotebooks.Kernel;

/// <summary>
/// Console.Out / Console.Error during cells: text is buffered and sent as <c>stream</c> messages for the running cell,
/// at most every 50 ms (and on Flush, which the kernel calls before replies and displays).
/// </summary>
sealed class CellOutputWriter : TextWriter
{
    readonly string name;
    readonly Func<Message?> parent;
    readonly Action<Message> publish;
    readonly StringBuilder buffer = new();
    readonly Lock gate = new();
    readonly Timer timer;
    readonly string session;

    public CellOutputWriter(string name, string session, Func<Message?> parent, Action<Message> publish)
    {
        this.session = session;
        this.name = name;
        this.parent = parent;
        this.publish = publish;
        timer = new Timer(_ => Flush(), null, 50, 50);
    }

    public override Encoding Encoding => Encoding.UTF8;

    public override void Write(char value) { lock (gate) buffer.Append(value); }

    public override void Write(string? value) { lock (gate) buffer.Append(value); }

    public override void Write(char[] buffer, int index, int count) { lock (gate) this.buffer.Append(buffer, index, count); }

    public override void Flush()
    {
        string text;
        lock (gate)
        {
            if (buffer.Length == 0) return;
            text = buffer.ToString();
            buffer.Clear();
            var p = parent();
            if (p is null)
            {
                Log.Info($"{name} outside a cell: {text.TrimEnd()}");
                return;
            }
            publish(Message.Reply(p, "stream", session, new JsonObject { ["name"] = name, ["text"] = text }, keepIdentities: false));
        }
    }

    protected override void Dispose(bool disposing)
    {
        timer.Dispose();
        base.Dispose(disposing);
    }
}

/// <summary>Console.In during cells: each line is asked of the front end (input_request) when the cell allows stdin.</summary>
sealed class CellInputReader(KernelServer kernel) : TextReader
{
    string pending = "";

    public override string? ReadLine()
    {
        if (pending.Length > 0) { var rest = pending; pending = ""; return rest.TrimEnd('\n'); }
        return kernel.ReadLine();
    }

    public override int Read()
    {
        if (pending.Length == 0)
        {
            var line = kernel.ReadLine();
            if (line is null) return -1;
            pending = line + "\n";
        }
        var c = pending[0];
        pending = pending[1..];
        return c;
    }

    public override int Peek()
    {
        if (pending.Length == 0)
        {
            var line = kernel.ReadLine();
            if (line is null) return -1;
            pending = line + "\n";
        }
        return pending[0];
    }
}
