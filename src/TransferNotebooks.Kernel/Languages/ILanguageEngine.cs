using System.Text.Json.Nodes;

namespace TransferNotebooks.Kernel.Languages;

/// <summary>One notebook language (F# or C#): evaluates cells in a session whose state persists across cells.</summary>
public interface ILanguageEngine : IDisposable
{
    /// <summary>"fsharp" or "csharp".</summary>
    string Name { get; }

    /// <summary>The language_info of kernel_info_reply.</summary>
    JsonObject LanguageInfo { get; }

    /// <summary>Starts the session (slow: compiler start-up); called once before the first cell.</summary>
    void Start();

    /// <summary>Evaluates one cell on the calling thread. Console output goes wherever Console.Out points.</summary>
    Evaluation Execute(string code, CancellationToken cancel);

    /// <summary>The is_complete status of <paramref name="code"/>: complete, incomplete (with indent) or invalid.</summary>
    (string Status, string Indent) IsComplete(string code);

    /// <summary>Completion candidates at <paramref name="cursor"/> and the replaced range.</summary>
    (IReadOnlyList<string> Matches, int Start, int End) Complete(string code, int cursor);

    /// <summary>The language's own plain-text rendering of a value (fsi's printer for F#).</summary>
    string FormatPlainText(object value, Type type);
}

/// <summary>The outcome of a cell: its value (when the last line is an expression) or an error.</summary>
public sealed record Evaluation(bool HasValue, object? Value, Type? ValueType, CellError? Error)
{
    public static readonly Evaluation Empty = new(false, null, null, null);

    public static Evaluation Failed(CellError error) => new(false, null, null, error);
}

/// <summary>An error reply: exception name, message and a readable traceback (one string per line).</summary>
public sealed record CellError(string Name, string Value, IReadOnlyList<string> Traceback)
{
    /// <summary>The error for an exception thrown by user code, with the stack trimmed to user frames.</summary>
    public static CellError FromException(Exception e)
    {
        while (e is System.Reflection.TargetInvocationException { InnerException: { } inner }) e = inner;
        while (e is AggregateException { InnerExceptions.Count: 1 } agg) e = agg.InnerExceptions[0];
        var lines = new List<string> { $"\u001b[0;31m{e.GetType().FullName}\u001b[0m: {e.Message}" };
        foreach (var line in (e.StackTrace ?? "").Split('\n'))
        {
            var l = line.TrimEnd();
            if (l.Length == 0 || l.Contains("--- End of stack trace", StringComparison.Ordinal)) continue;
            if (IsInfrastructureFrame(l)) break;
            lines.Add(l);
        }
        if (e.InnerException is { } innerEx)
            lines.Add($"  ---> {innerEx.GetType().FullName}: {innerEx.Message}");
        return new CellError(e.GetType().Name, e.Message, lines);
    }

    static bool IsInfrastructureFrame(string frame) =>
        frame.Contains("at FSharp.Compiler.", StringComparison.Ordinal) ||
        frame.Contains("at Microsoft.CodeAnalysis.", StringComparison.Ordinal) ||
        frame.Contains("at TransferNotebooks.Kernel.", StringComparison.Ordinal) ||
        frame.Contains("at System.RuntimeMethodHandle.InvokeMethod", StringComparison.Ordinal) ||
        frame.Contains("at System.Reflection.MethodBaseInvoker", StringComparison.Ordinal) ||
        frame.Contains("at System.Runtime.ControlledExecution", StringComparison.Ordinal);
}
