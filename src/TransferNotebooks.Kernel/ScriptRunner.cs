using System.Text.RegularExpressions;
using TransferNotebooks.Kernel.Languages;

namespace TransferNotebooks.Kernel;

/// <summary>
/// The <c>run</c> verb: runs a C# script (<c>.csx</c>, dotnet-script's dialect: top-level code, <c>#r "nuget: Name,
/// Version"</c>, <c>#r "file.dll"</c>, <c>#i "nuget: source"</c>, <c>#load</c>, <c>Args</c>) on the kernel's C# engine, outside
/// Jupyter. The script's output goes to stdout, <c>display(x)</c> prints x as text/plain, NuGet uses the configuration
/// that applies to the script's folder. Exit code: what the script returns (<c>return 3;</c>), else 0; 1 with
/// <c>file:line</c> on stderr when it does not compile or throws; 2 for a bad command line.
/// </summary>
public static partial class ScriptRunner
{
    public const string Usage = "run <script.csx> [--] [args...]";

    [GeneratedRegex(@"\u001b\[[0-9;]*m")]
    private static partial Regex AnsiColour();

    [GeneratedRegex("""^\s*#(r|i)\s+"(nuget:)?\s*(?<name>[^",]*)""")]
    private static partial Regex ReferenceDirective();

    public static int Run(IReadOnlyList<string> arguments)
    {
        if (arguments.Count == 0 || arguments[0].StartsWith('-'))
        {
            Console.Error.WriteLine("usage: TransferNotebooks.Kernel " + Usage);
            return 2;
        }
        var path = Path.GetFullPath(arguments[0]);
        if (!File.Exists(path))
        {
            Console.Error.WriteLine($"{arguments[0]}: no such script");
            return 2;
        }
        var scriptArgs = arguments.Skip(1).ToList();
        if (scriptArgs.FirstOrDefault() == "--") scriptArgs.RemoveAt(0);
        var folder = Path.GetDirectoryName(path)!;
        // What `dotnet run file.cs` sets: a script finds its own folder whatever the working directory.
        AppContext.SetData("EntryPointFilePath", path);
        AppContext.SetData("EntryPointFileDirectoryPath", folder);

        using var engine = new CSharpEngine(folder, scriptArgs);
        engine.Start();
        var result = engine.ExecuteFile(path, CancellationToken.None);
        Console.Out.Flush();
        if (result.Error is { } error)
        {
            foreach (var line in Describe(error, path)) Console.Error.WriteLine(line);
            return 1;
        }
        return result.Value is int code ? code : 0;
    }

    /// <summary>The error as compiler-style lines: each starts with <c>file:line</c> when the script's file and line are known.</summary>
    internal static IReadOnlyList<string> Describe(CellError error, string path)
    {
        var lines = error.Traceback.Select(l => AnsiColour().Replace(l, "")).ToList();
        switch (error.Name)
        {
            case "CompilationError":
                return lines;
            case "ReferenceError":
                var line = DirectiveLine(path, error.Value);
                return [$"{path}{(line is null ? "" : ":" + line)}: error: {string.Join(Environment.NewLine, lines)}"];
            default:
                var marker = $" in {path}:line ";
                var frame = lines.FirstOrDefault(l => l.Contains(marker, StringComparison.Ordinal));
                var where = frame is null ? path : path + ":" + frame[(frame.IndexOf(marker, StringComparison.Ordinal) + marker.Length)..].Trim();
                return [$"{where}: error: {lines.FirstOrDefault() ?? error.Name + ": " + error.Value}", .. lines.Skip(1)];
        }
    }

    /// <summary>The line of the <c>#r</c>/<c>#i</c> directive whose package, file or source the message names, else of the first one.</summary>
    static int? DirectiveLine(string path, string message)
    {
        int? first = null;
        var lines = File.ReadAllLines(path);
        for (var i = 0; i < lines.Length; i++)
        {
            var m = ReferenceDirective().Match(lines[i]);
            if (!m.Success) continue;
            first ??= i + 1;
            var name = m.Groups["name"].Value.Trim();
            if (name.Length > 0 && message.Contains(name, StringComparison.OrdinalIgnoreCase)) return i + 1;
        }
        return first;
    }
}
