using System.Text.Json.Nodes;
using FSharp.Compiler.Diagnostics;
using FSharp.Compiler.Interactive;
using Microsoft.FSharp.Core;

namespace TransferNotebooks.Kernel.Languages;

/// <summary>
/// F# through FSharp.Compiler.Service's in-process FSI session. <c>#r "nuget: ..."</c> and <c>#i "nuget: ..."</c> are
/// handled by the NuGet dependency manager that ships next to FSharp.Compiler.Service.dll. Any Error diagnostic fails
/// the cell (a failed <c>#r nuget</c> reports no exception, only diagnostics).
/// </summary>
public sealed class FSharpEngine : ILanguageEngine
{
    readonly TextWriter sessionOut = new ConsoleForwardingWriter(() => Console.Out, IsNoise);
    readonly TextWriter sessionErr = new ConsoleForwardingWriter(() => Console.Error, IsNoise);

    /// <summary>FSI's "Stopped due to error" (the kernel reports errors itself) and NuGet restore warnings (NU1603 ...).</summary>
    internal static bool IsNoise(string line) =>
        line.TrimEnd() == "Stopped due to error" || System.Text.RegularExpressions.Regex.IsMatch(line, @"warning NU\d{4}:");
    Shell.FsiEvaluationSession? session;

    public string Name => "fsharp";

    public JsonObject LanguageInfo => new()
    {
        ["name"] = "fsharp",
        ["version"] = "10.0",
        ["mimetype"] = "text/x-fsharp",
        ["file_extension"] = ".fsx",
        ["pygments_lexer"] = "fsharp",
        ["codemirror_mode"] = "fsharp",
    };

    public void Start()
    {
        var config = Shell.FsiEvaluationSession.GetDefaultConfiguration();
        string[] argv = ["fsi.exe", "--noninteractive", "--nologo", "--gui-", "--quiet", "--multiemit-"];
        session = Shell.FsiEvaluationSession.Create(config, argv, TextReader.Null, sessionOut, sessionErr,
            null, null);
        var kernelDll = typeof(FSharpEngine).Assembly.Location;
        var prelude = $"""
            #r @"{kernelDll}"
            let display (value: obj) : unit = TransferNotebooks.Kernel.Display.Notebook.Display value |> ignore
            let displayUpdatable (value: obj) = TransferNotebooks.Kernel.Display.Notebook.Display value
            let HTML (html: string) = TransferNotebooks.Kernel.Display.Notebook.Html html
            """;
        var result = Execute(prelude, CancellationToken.None);
        if (result.Error is { } e) throw new InvalidOperationException("F# prelude failed: " + string.Join("\n", e.Traceback));
    }

    public Evaluation Execute(string code, CancellationToken cancel)
    {
        var s = session ?? throw new InvalidOperationException("Session not started");
        // The kernel stops cells itself (Interruption, then ControlledExecution); FSI's own token would turn a cell
        // that stopped cooperatively into an error, so it gets none.
        // The NuGet dependency manager prints restore warnings straight to the console: filter them out of nuget cells.
        var (stdout, stderr) = (Console.Out, Console.Error);
        var filtered = code.Contains("nuget:", StringComparison.OrdinalIgnoreCase);
        if (filtered)
        {
            Console.SetOut(new ConsoleForwardingWriter(() => stdout, IsNoise));
            Console.SetError(new ConsoleForwardingWriter(() => stderr, IsNoise));
        }
        (FSharpChoice<FSharpOption<Shell.FsiValue>?, Exception> choice, FSharpDiagnostic[] diagnostics) result;
        try { result = s.EvalInteractionNonThrowing(code, FSharpOption<CancellationToken>.Some(CancellationToken.None)).ToValueTuple(); }
        finally
        {
            sessionOut.Flush();
            sessionErr.Flush();
            if (filtered)
            {
                Console.Out.Flush();
                Console.Error.Flush();
                Console.SetOut(stdout);
                Console.SetError(stderr);
            }
        }
        var (choice, diagnostics) = result;
        var errors = diagnostics.Where(d => d.Severity.IsError).ToList();
        // NuGet restore warnings (NU1603 ...) from #r "nuget:" are noise in a notebook.
        foreach (var w in diagnostics.Where(d => d.Severity.IsWarning && !IsNoise(d.Message)))
            Console.Error.WriteLine(FormatDiagnostic(w));
        if (choice is FSharpChoice<FSharpOption<Shell.FsiValue>?, Exception>.Choice2Of2 failure)
        {
            var ex = failure.Item;
            if (errors.Count > 0 || ex.GetType().FullName?.Contains("FsiCompilationException") == true)
                return Evaluation.Failed(CompileError(errors, ex));
            return Evaluation.Failed(CellError.FromException(ex));
        }
        if (errors.Count > 0) return Evaluation.Failed(CompileError(errors, null));
        var value = ((FSharpChoice<FSharpOption<Shell.FsiValue>?, Exception>.Choice1Of2)choice).Item;
        if (value is null) return Evaluation.Empty;
        var v = value.Value;
        if (v.ReflectionType == typeof(Unit) || v.ReflectionType == typeof(void)) return Evaluation.Empty;
        return new Evaluation(true, v.ReflectionValue, v.ReflectionType, null);
    }

    static CellError CompileError(List<FSharpDiagnostic> errors, Exception? ex)
    {
        if (errors.Count == 0)
            return new CellError("CompilationError", ex?.Message ?? "compilation failed", [ex?.Message ?? "compilation failed"]);
        var lines = errors.Select(FormatDiagnostic).ToList();
        return new CellError("CompilationError", errors[0].Message, lines);
    }

    static string FormatDiagnostic(FSharpDiagnostic d)
    {
        var kind = d.Severity.IsError ? "\u001b[0;31merror\u001b[0m" : "\u001b[0;33mwarning\u001b[0m";
        return $"({d.StartLine},{d.StartColumn + 1}): {kind} FS{d.ErrorNumber:0000}: {d.Message}";
    }

    public (string Status, string Indent) IsComplete(string code) => CodeCompleteness.FSharp(code);

    public (IReadOnlyList<string> Matches, int Start, int End) Complete(string code, int cursor)
    {
        if (session is null) return ([], cursor, cursor);
        var (start, prefix, qualifier) = CodeCompleteness.WordBefore(code, cursor);
        try
        {
            var target = qualifier.Length > 0 ? qualifier + "." + prefix : prefix;
            var names = session.GetCompletions(target)
                .Where(n => n.StartsWith(prefix, StringComparison.Ordinal))
                .Distinct().OrderBy(n => n, StringComparer.Ordinal).Take(200).ToList();
            return (names, start, cursor);
        }
        catch (Exception e)
        {
            Log.Debug("F# completion failed: " + e.Message);
            return ([], cursor, cursor);
        }
    }

    public string FormatPlainText(object value, Type type)
    {
        try { return session?.FormatValue(value, type) ?? value.ToString() ?? ""; }
        catch (Exception) { return SafeToString(value); }
    }

    internal static string SafeToString(object value)
    {
        try { return value.ToString() ?? ""; }
        catch (Exception e) { return $"<{value.GetType().Name}: ToString failed: {e.Message}>"; }
    }

    public void Dispose() => (session as IDisposable)?.Dispose();
}

/// <summary>
/// A writer that forwards whole lines to whatever the process console writer is at the moment of writing, dropping
/// FSI's own "Stopped due to error" line (the kernel reports errors itself).
/// </summary>
sealed class ConsoleForwardingWriter(Func<TextWriter> target, Func<string, bool> drop) : TextWriter
{
    readonly System.Text.StringBuilder line = new();
    readonly Lock gate = new();

    public override System.Text.Encoding Encoding => System.Text.Encoding.UTF8;

    public override void Write(char value)
    {
        lock (gate)
        {
            line.Append(value);
            if (value != '\n') return;
            var text = line.ToString();
            line.Clear();
            if (!drop(text)) target().Write(text);
        }
    }

    public override void Write(string? value)
    {
        foreach (var c in value ?? "") Write(c);
    }

    public override void Write(char[] buffer, int index, int count)
    {
        for (var i = 0; i < count; i++) Write(buffer[index + i]);
    }

    public override void Flush()
    {
        lock (gate)
        {
            if (line.Length > 0 && !drop(line.ToString())) target().Write(line.ToString());
            line.Clear();
            target().Flush();
        }
    }
}
