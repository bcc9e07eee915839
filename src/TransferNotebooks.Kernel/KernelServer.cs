using System.Runtime;
using System.Text.Json.Nodes;
using NetMQ;
using TransferNotebooks.Kernel.Channels;
using TransferNotebooks.Kernel.Display;
using TransferNotebooks.Kernel.Languages;
using TransferNotebooks.Kernel.Protocol;

namespace TransferNotebooks.Kernel;

/// <summary>
/// The kernel: binds the five channels, answers shell and control requests (each wrapped in status busy/idle on
/// IOPub), runs cells on the shell thread, and is the display sink for the running cell.
/// </summary>
public sealed class KernelServer : IDisplaySink
{
    /// <summary>
    /// How long an interrupted cell may take to stop by itself (observing Interruption.Token, as the training loop does
    /// between batches) before it is aborted; TN_KERNEL_INTERRUPT_GRACE_MS overrides the default of 3 s.
    /// </summary>
    static readonly TimeSpan InterruptGrace = TimeSpan.FromMilliseconds(
        int.TryParse(Environment.GetEnvironmentVariable("TN_KERNEL_INTERRUPT_GRACE_MS"), out var ms) && ms >= 0 ? ms : 3000);

    readonly ConnectionInfo connection;
    readonly ILanguageEngine engine;
    readonly MessageSigner signer;
    readonly string session = Guid.NewGuid().ToString("N");
    readonly ManualResetEventSlim stopped = new();
    readonly Lock cellGate = new();
    IopubChannel iopub = null!;
    StdinChannel stdin = null!;
    int executionCount;
    Message? parent;
    CancellationTokenSource? cellCancel;
    CancellationTokenSource? cellAbort;
    bool cellRunning;

    public KernelServer(ConnectionInfo connection, ILanguageEngine engine)
    {
        this.connection = connection;
        this.engine = engine;
        signer = new MessageSigner(connection.Key, connection.SignatureScheme);
    }

    /// <summary>Serves until a shutdown request; returns the exit code.</summary>
    public int Run()
    {
        iopub = new IopubChannel(connection.Address(connection.IopubPort), signer, session);
        iopub.Start();
        using var heartbeat = new Heartbeat(connection.Address(connection.HeartbeatPort));
        heartbeat.Start();
        stdin = new StdinChannel(connection.Address(connection.StdinPort), signer, session);
        stdin.Start();

        var stdout = new CellOutputWriter("stdout", session, () => parent, Publish);
        var stderr = new CellOutputWriter("stderr", session, () => parent, Publish);
        Console.SetOut(stdout);
        Console.SetError(stderr);
        Console.SetIn(new CellInputReader(this));
        Notebook.Sink = this;
        DisplayFormatter.LanguagePlainText = engine.FormatPlainText;
        LibraryBridge.Start();

        var started = DateTime.UtcNow;
        engine.Start();
        Log.Info($"{engine.Name} session ready in {(DateTime.UtcNow - started).TotalSeconds:0.0} s");

        var control = new RequestChannel("control", connection.Address(connection.ControlPort), signer, Handle);
        var shell = new RequestChannel("shell", connection.Address(connection.ShellPort), signer, Handle);
        control.Start();
        shell.Start();
        Publish(Message.Reply(null, "status", session, new JsonObject { ["execution_state"] = "starting" }));

        // Ctrl+C from a terminal front end (jupyter console) reaches the whole process group: treat it as an interrupt.
        using var sigint = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGINT, context =>
        {
            context.Cancel = true;
            CancelCell(InterruptGrace);
        });

        stopped.Wait();
        shell.Stop();
        control.Stop();
        stdout.Flush();
        stderr.Flush();
        iopub.Flush(TimeSpan.FromSeconds(2));
        shell.Dispose();
        control.Dispose();
        stdin.Dispose();
        heartbeat.Dispose();
        iopub.Dispose();
        engine.Dispose();
        NetMQConfig.Cleanup(false);
        Log.Info("shut down");
        return 0;
    }

    void Publish(Message message) => iopub.Publish(message);

    void Status(Message parentMessage, string state) =>
        Publish(Message.Reply(parentMessage, "status", session, new JsonObject { ["execution_state"] = state }, keepIdentities: false));

    void Handle(RequestChannel channel, Message request)
    {
        Status(request, "busy");
        try
        {
            switch (request.MsgType)
            {
                case "kernel_info_request": channel.Send(Message.Reply(request, "kernel_info_reply", session, KernelInfo())); break;
                case "execute_request": Execute(channel, request); break;
                case "is_complete_request": IsComplete(channel, request); break;
                case "complete_request": Complete(channel, request); break;
                case "inspect_request":
                    channel.Send(Message.Reply(request, "inspect_reply", session, new JsonObject { ["status"] = "ok", ["found"] = false, ["data"] = new JsonObject(), ["metadata"] = new JsonObject() }));
                    break;
                case "history_request":
                    channel.Send(Message.Reply(request, "history_reply", session, new JsonObject { ["status"] = "ok", ["history"] = new JsonArray() }));
                    break;
                case "comm_info_request":
                    channel.Send(Message.Reply(request, "comm_info_reply", session, new JsonObject { ["status"] = "ok", ["comms"] = new JsonObject() }));
                    break;
                case "interrupt_request": Interrupt(channel, request); break;
                case "shutdown_request": Shutdown(channel, request); break;
                case "comm_open":
                case "comm_msg":
                case "comm_close":
                    break;
                default:
                    Log.Warn($"{channel.Name}: unsupported message type {request.MsgType}");
                    break;
            }
        }
        finally
        {
            Status(request, "idle");
        }
    }

    JsonObject KernelInfo() => new()
    {
        ["status"] = "ok",
        ["protocol_version"] = Message.ProtocolVersion,
        ["implementation"] = "transfernotebooks",
        ["implementation_version"] = typeof(KernelServer).Assembly.GetName().Version?.ToString(3) ?? "0.1.0",
        ["language_info"] = engine.LanguageInfo,
        ["banner"] = $"TransferNotebooks {(engine.Name == "fsharp" ? "F#" : "C#")} kernel (.NET {Environment.Version})",
        ["help_links"] = new JsonArray(),
        ["debugger"] = false,
    };

    void Execute(RequestChannel channel, Message request)
    {
        var code = Message.Str(request.Content, "code");
        var silent = Message.Bool(request.Content, "silent", false);
        var storeHistory = Message.Bool(request.Content, "store_history", !silent);
        if (storeHistory && !silent) executionCount++;
        var count = executionCount;
        parent = request;
        if (!silent)
            Publish(Message.Reply(request, "execute_input", session, new JsonObject { ["code"] = code, ["execution_count"] = count }, keepIdentities: false));

        var cancel = new CancellationTokenSource();
        var abort = new CancellationTokenSource();
        lock (cellGate) { cellCancel = cancel; cellAbort = abort; cellRunning = true; }
        LibraryBridge.CellStarted();
        Evaluation result = Evaluation.Empty;
        try
        {
#pragma warning disable SYSLIB0046 // ControlledExecution: the only way to stop a cell that does not poll the token
            ControlledExecution.Run(() => result = engine.Execute(code, cancel.Token), abort.Token);
#pragma warning restore SYSLIB0046
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested) { result = Evaluation.Failed(Interrupted()); }
        catch (Exception e) { result = Evaluation.Failed(CellError.FromException(e)); }
        finally
        {
            lock (cellGate) { cellRunning = false; cellCancel = null; cellAbort = null; }
        }
        if (cancel.IsCancellationRequested && result.Error is not null) result = Evaluation.Failed(Interrupted());
        Console.Out.Flush();
        Console.Error.Flush();

        if (result.HasValue && !silent && result.Value is not DisplayedValue)
        {
            JsonObject data;
            try { data = DisplayFormatter.Format(result.Value, result.ValueType); }
            catch (Exception e) { data = new JsonObject { ["text/plain"] = $"<display failed: {e.Message}>" }; }
            Publish(Message.Reply(request, "execute_result", session,
                new JsonObject { ["execution_count"] = count, ["data"] = data, ["metadata"] = new JsonObject() }, keepIdentities: false));
        }
        if (result.Error is { } error)
        {
            var traceback = new JsonArray(error.Traceback.Select(l => (JsonNode?)JsonValue.Create(l)).ToArray());
            if (!silent)
                Publish(Message.Reply(request, "error", session, new JsonObject
                {
                    ["ename"] = error.Name, ["evalue"] = error.Value, ["traceback"] = traceback.DeepClone(),
                }, keepIdentities: false));
            channel.Send(Message.Reply(request, "execute_reply", session, new JsonObject
            {
                ["status"] = "error", ["execution_count"] = count, ["ename"] = error.Name, ["evalue"] = error.Value, ["traceback"] = traceback,
            }));
            if (Message.Bool(request.Content, "stop_on_error", true)) AbortQueued(channel);
        }
        else
        {
            channel.Send(Message.Reply(request, "execute_reply", session, new JsonObject
            {
                ["status"] = "ok", ["execution_count"] = count, ["user_expressions"] = new JsonObject(), ["payload"] = new JsonArray(),
            }));
        }
    }

    /// <summary>After a failed cell (stop_on_error), execute requests already queued are answered "aborted", as ipykernel does.</summary>
    void AbortQueued(RequestChannel channel)
    {
        foreach (var queued in channel.TakePending())
        {
            if (queued.MsgType != "execute_request") { Handle(channel, queued); continue; }
            Status(queued, "busy");
            channel.Send(Message.Reply(queued, "execute_reply", session, new JsonObject { ["status"] = "aborted", ["execution_count"] = executionCount }));
            Status(queued, "idle");
        }
    }

    static CellError Interrupted() => new("KeyboardInterrupt", "The cell was interrupted.", ["\u001b[0;31mKeyboardInterrupt\u001b[0m: the cell was interrupted."]);

    void IsComplete(RequestChannel channel, Message request)
    {
        var (status, indent) = engine.IsComplete(Message.Str(request.Content, "code"));
        var content = new JsonObject { ["status"] = status };
        if (status == "incomplete") content["indent"] = indent;
        channel.Send(Message.Reply(request, "is_complete_reply", session, content));
    }

    void Complete(RequestChannel channel, Message request)
    {
        var code = Message.Str(request.Content, "code");
        var cursor = Message.Int(request.Content, "cursor_pos", code.Length);
        var (matches, start, end) = engine.Complete(code, cursor);
        channel.Send(Message.Reply(request, "complete_reply", session, new JsonObject
        {
            ["status"] = "ok",
            ["matches"] = new JsonArray(matches.Select(m => (JsonNode?)JsonValue.Create(m)).ToArray()),
            ["cursor_start"] = start,
            ["cursor_end"] = end,
            ["metadata"] = new JsonObject(),
        }));
    }

    void Interrupt(RequestChannel channel, Message request)
    {
        CancelCell(InterruptGrace);
        channel.Send(Message.Reply(request, "interrupt_reply", session, new JsonObject { ["status"] = "ok" }));
    }

    /// <summary>Cancels the running cell's token now and aborts it if it is still running after <paramref name="grace"/>.</summary>
    void CancelCell(TimeSpan grace)
    {
        CancellationTokenSource? cancel, abort;
        lock (cellGate)
        {
            if (!cellRunning) return;
            cancel = cellCancel;
            abort = cellAbort;
        }
        Log.Info("interrupting the running cell");
        cancel?.Cancel();
        LibraryBridge.Interrupt();
        _ = Task.Delay(grace).ContinueWith(_ =>
        {
            lock (cellGate)
                if (cellRunning && ReferenceEquals(cellAbort, abort))
                {
                    Log.Info("the cell did not stop by itself: aborting it");
                    abort?.Cancel();
                }
        }, TaskScheduler.Default);
    }

    void Shutdown(RequestChannel channel, Message request)
    {
        var restart = Message.Bool(request.Content, "restart", false);
        channel.Send(Message.Reply(request, "shutdown_reply", session, new JsonObject { ["status"] = "ok", ["restart"] = restart }));
        Publish(Message.Reply(request, "shutdown_reply", session, new JsonObject { ["status"] = "ok", ["restart"] = restart }, keepIdentities: false));
        CancelCell(TimeSpan.Zero);
        Log.Info(restart ? "restart requested: exiting (the client starts a new kernel)" : "shutdown requested");
        stopped.Set();
    }

    // IDisplaySink: displays belong to the cell that is running (or ran last).
    public string Show(JsonObject data)
    {
        var id = Guid.NewGuid().ToString("N");
        Console.Out.Flush();
        Publish(Message.Reply(parent, "display_data", session, new JsonObject
        {
            ["data"] = data, ["metadata"] = new JsonObject(), ["transient"] = new JsonObject { ["display_id"] = id },
        }, keepIdentities: false));
        return id;
    }

    public void Update(string displayId, JsonObject data)
    {
        Console.Out.Flush();
        Publish(Message.Reply(parent, "update_display_data", session, new JsonObject
        {
            ["data"] = data, ["metadata"] = new JsonObject(), ["transient"] = new JsonObject { ["display_id"] = displayId },
        }, keepIdentities: false));
    }

    /// <summary>A line from the front end for Console.ReadLine (input_request), when the running cell allows stdin.</summary>
    internal string? ReadLine()
    {
        var p = parent;
        if (p is null || !Message.Bool(p.Content, "allow_stdin", false)) return null;
        Console.Out.Flush();
        CancellationToken token;
        lock (cellGate) token = cellCancel?.Token ?? CancellationToken.None;
        return stdin.ReadLine(p, "", false, token);
    }
}
