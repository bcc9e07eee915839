using System.Reflection;
using System.Runtime.Loader;
using System.Text.Json.Nodes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Scripting;
using Microsoft.CodeAnalysis.Scripting;
using Microsoft.CodeAnalysis.Scripting.Hosting;
using TransferNotebooks.Kernel.Display;

namespace TransferNotebooks.Kernel.Languages;

/// <summary>
/// C# through Roslyn scripting: each cell continues the previous submission, so state persists. Package and assembly
/// references are loaded into the default load context by the kernel (one copy of each assembly, shared with the
/// kernel's own) and registered with the script loader, which then never loads a second copy.
/// </summary>
public sealed class CSharpEngine : ILanguageEngine
{
    readonly string baseDirectory;
    readonly InteractiveAssemblyLoader loader = new();
    readonly NuGetResolver nuget;
    readonly LoadedScripts loaded;
    readonly CSharpGlobals globals;
    readonly HashSet<string> referenced = new(StringComparer.Ordinal);
    ScriptOptions options = ScriptOptions.Default;
    Script<object>? last;
    ScriptState<object>? state;

    /// <param name="baseDirectory">where relative <c>#r</c>/<c>#i</c>/<c>#load</c> paths of cells start and whose NuGet
    /// configuration applies: the kernel's working directory (Jupyter sets it to the notebook's folder), a script's folder</param>
    /// <param name="args">what scripts see as <c>Args</c> (dotnet-script's name); empty in a notebook</param>
    public CSharpEngine(string? baseDirectory = null, IReadOnlyList<string>? args = null)
    {
        this.baseDirectory = Path.GetFullPath(baseDirectory ?? Directory.GetCurrentDirectory());
        nuget = new NuGetResolver(this.baseDirectory);
        // Packages' native libraries (SkiaSharp's libSkiaSharp.so, ...): the default context finds them through this hook.
        AssemblyLoadContext.Default.ResolvingUnmanagedDll += (_, library) => ResolveNative(library);
        loaded = new LoadedScripts(this.baseDirectory);
        globals = new CSharpGlobals(args ?? []);
    }

    public string Name => "csharp";

    public JsonObject LanguageInfo => new()
    {
        ["name"] = "csharp",
        ["version"] = "14.0",
        ["mimetype"] = "text/x-csharp",
        ["file_extension"] = ".cs",
        ["pygments_lexer"] = "csharp",
        ["codemirror_mode"] = "text/x-csharp",
    };

    public void Start()
    {
        var runtimeDir = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        var tpa = ((string?)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        var framework = tpa.Where(p => string.Equals(Path.GetDirectoryName(p), runtimeDir, StringComparison.Ordinal))
            .Where(IsManagedAssembly).Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToList();
        options = ScriptOptions.Default
            .WithReferences(framework)
            .WithImports("System", "System.IO", "System.Linq", "System.Collections.Generic", "System.Text", "System.Threading", "System.Threading.Tasks")
            .WithLanguageVersion(LanguageVersion.Preview)
            .WithOptimizationLevel(OptimizationLevel.Debug)
            .WithEmitDebugInformation(false)
            .WithSourceResolver(loaded);
        foreach (var a in new[] { typeof(CSharpGlobals).Assembly, typeof(Microsoft.DotNet.Interactive.Formatting.Formatter).Assembly })
            Reference(a);
        var warm = Execute("0", CancellationToken.None);
        if (warm.Error is { } e) throw new InvalidOperationException("C# start-up failed: " + string.Join("\n", e.Traceback));
        last = null;
        state = null;
    }

    static bool IsManagedAssembly(string path)
    {
        try { AssemblyName.GetAssemblyName(path); return true; }
        catch (BadImageFormatException) { return false; }
    }

    void Reference(Assembly assembly)
    {
        loader.RegisterDependency(assembly);
        if (assembly.Location.Length > 0 && referenced.Add(assembly.Location))
            options = options.AddReferences(MetadataReference.CreateFromFile(assembly.Location));
    }

    /// <summary>Loads <paramref name="path"/> into the default context (reusing an already-loaded assembly of that name) and references it.</summary>
    void LoadAndReference(string path)
    {
        AssemblyName name;
        try { name = AssemblyName.GetAssemblyName(path); }
        catch (BadImageFormatException) { return; }
        var loaded = AppDomain.CurrentDomain.GetAssemblies()
            .FirstOrDefault(a => !a.IsDynamic && AssemblyName.ReferenceMatchesDefinition(name, a.GetName()) && a.GetName().Name == name.Name);
        if (loaded is null)
        {
            try { loaded = AssemblyLoadContext.Default.LoadFromAssemblyName(name); }
            catch (Exception e) when (e is FileNotFoundException or FileLoadException) { loaded = null; }
            if (loaded is null || (loaded.GetName().Version ?? new Version()) < (name.Version ?? new Version()))
            {
                // The host may already hold an older copy (e.g. Microsoft.Bcl.AsyncInterfaces, which ML.NET's packages
                // pull in at 9.0.4): the default context cannot load a second version, so the host's copy serves.
                try { loaded = AssemblyLoadContext.Default.LoadFromAssemblyPath(path); }
                catch (FileLoadException) when (SameName(name) is { } host) { loaded = host; }
            }
        }
        Reference(loaded);
    }

    /// <summary>The host's own assembly of that simple name, any version: loaded already, or from the host's dependencies.</summary>
    IntPtr ResolveNative(string library)
    {
        string[] names = [library, library + ".so", "lib" + library + ".so", library + ".dylib", "lib" + library + ".dylib", library + ".dll"];
        var path = nuget.NativeLibraries.FirstOrDefault(p => names.Contains(Path.GetFileName(p), StringComparer.Ordinal));
        return path is not null && System.Runtime.InteropServices.NativeLibrary.TryLoad(path, out var handle) ? handle : IntPtr.Zero;
    }

    static Assembly? SameName(AssemblyName name)
    {
        var loaded = AssemblyLoadContext.Default.Assemblies.FirstOrDefault(a => !a.IsDynamic && a.GetName().Name == name.Name);
        if (loaded is not null || name.Name is null) return loaded;
        try { return AssemblyLoadContext.Default.LoadFromAssemblyName(new AssemblyName(name.Name)); }
        catch (Exception e) when (e is FileNotFoundException or FileLoadException) { return null; }
    }

    public Evaluation Execute(string code, CancellationToken cancel) => Evaluate(code, null, cancel);

    /// <summary>
    /// Runs the script file <paramref name="path"/> as one submission (call it on a fresh, started engine). Diagnostics
    /// and stack frames name the file and line; the value is what the script returns (<c>return 3;</c>), if anything.
    /// </summary>
    public Evaluation ExecuteFile(string path, CancellationToken cancel)
    {
        var full = Path.GetFullPath(path, baseDirectory);
        return Evaluate(File.ReadAllText(full), full, cancel);
    }

    Evaluation Evaluate(string code, string? filePath, CancellationToken cancel)
    {
        var parsed = ScriptDirectives.Parse(code);
        try
        {
            // The cell's own directives, then those of the scripts it #loads (relative to each script's folder).
            var all = loaded.Gather(parsed, filePath).Prepend((Directives: parsed, Folder: baseDirectory)).ToList();
            foreach (var (directives, folder) in all)
                foreach (var s in directives.Sources) nuget.AddSource(s.Contains("://", StringComparison.Ordinal) ? s : Path.GetFullPath(s, folder));
            var packages = all.SelectMany(d => d.Directives.Packages).ToList();
            if (packages.Count > 0)
                foreach (var path in nuget.Resolve(packages)) LoadAndReference(path);
            foreach (var (directives, folder) in all)
                foreach (var path in directives.Assemblies) LoadAndReference(Path.GetFullPath(path, folder));
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException or IOException or BadImageFormatException)
        {
            return Evaluation.Failed(new CellError("ReferenceError", e.Message, e.Message.Split('\n')));
        }
        if (string.IsNullOrWhiteSpace(parsed.Code)) return Evaluation.Empty;

        // A file gets its path (diagnostics, #load, stack frames with file:line through in-memory debug information).
        var submissionOptions = filePath is null ? options
            : options.WithFilePath(filePath).WithFileEncoding(System.Text.Encoding.UTF8).WithEmitDebugInformation(true);
        var script = last is null
            ? CSharpScript.Create<object>(parsed.Code, submissionOptions, typeof(CSharpGlobals), loader)
            : last.ContinueWith<object>(parsed.Code, submissionOptions);
        var diagnostics = script.Compile(cancel);
        var errors = diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        if (errors.Count > 0)
        {
            var lines = errors.Select(d =>
            {
                var span = d.Location.GetLineSpan();
                var (line, column) = (span.StartLinePosition.Line + 1, span.StartLinePosition.Character + 1);
                return filePath is null
                    ? $"({line},{column}): \u001b[0;31merror\u001b[0m {d.Id}: {d.GetMessage()}"
                    : $"{(span.Path.Length > 0 ? span.Path : filePath)}:{line}:{column}: error {d.Id}: {d.GetMessage()}";
            }).ToList();
            return Evaluation.Failed(new CellError("CompilationError", errors[0].GetMessage(), lines));
        }
        var next = state is null
            ? script.RunAsync(globals, _ => true, cancel).GetAwaiter().GetResult()
            : script.RunFromAsync(state, _ => true, cancel).GetAwaiter().GetResult();
        last = script;
        state = next;
        if (next.Exception is { } ex) return Evaluation.Failed(CellError.FromException(ex));
        if (filePath is not null) return next.ReturnValue is { } returned ? new Evaluation(true, returned, returned.GetType(), null) : Evaluation.Empty;
        if (!EndsWithExpression(parsed.Code) || next.ReturnValue is null) return Evaluation.Empty;
        return new Evaluation(true, next.ReturnValue, next.ReturnValue.GetType(), null);
    }

    /// <summary>True when the cell ends with an expression without a semicolon (its value is the cell's result).</summary>
    internal static bool EndsWithExpression(string code)
    {
        var tree = CSharpSyntaxTree.ParseText(code, new CSharpParseOptions(LanguageVersion.Preview, kind: SourceCodeKind.Script));
        var last = tree.GetCompilationUnitRoot().Members.LastOrDefault();
        return last is Microsoft.CodeAnalysis.CSharp.Syntax.GlobalStatementSyntax { Statement: Microsoft.CodeAnalysis.CSharp.Syntax.ExpressionStatementSyntax es }
               && es.SemicolonToken.IsMissing;
    }

    public (string Status, string Indent) IsComplete(string code)
    {
        var parsed = ScriptDirectives.Parse(code).Code;
        if (CodeCompleteness.Balance(parsed, fsharp: false) < 0) return ("invalid", "");
        var tree = CSharpSyntaxTree.ParseText(parsed, new CSharpParseOptions(LanguageVersion.Preview, kind: SourceCodeKind.Script));
        return SyntaxFactory.IsCompleteSubmission(tree) ? ("complete", "") : ("incomplete", "    ");
    }

    public (IReadOnlyList<string> Matches, int Start, int End) Complete(string code, int cursor)
    {
        var (start, prefix, qualifier) = CodeCompleteness.WordBefore(code, cursor);
        IEnumerable<string> names = [];
        if (qualifier.Length == 0)
        {
            names = state?.Variables.Select(v => v.Name) ?? [];
            names = names.Concat(["display", "HTML", "Console", "Math", "string", "var", "foreach", "using"]);
        }
        else
        {
            var variable = state?.Variables.LastOrDefault(v => v.Name == qualifier);
            var type = variable?.Type ?? AppDomain.CurrentDomain.GetAssemblies().Where(a => !a.IsDynamic)
                .Select(a => a.GetType(qualifier, false) ?? a.GetType("System." + qualifier, false)).FirstOrDefault(t => t is not null);
            if (type is not null)
                names = type.GetMembers(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static)
                    .Where(m => m is not MethodInfo { IsSpecialName: true }).Select(m => m.Name);
        }
        var matches = names.Where(n => n.StartsWith(prefix, StringComparison.Ordinal)).Distinct().OrderBy(n => n, StringComparer.Ordinal).ToList();
        return (matches, start, cursor);
    }

    public string FormatPlainText(object value, Type type) => DisplayFormatter.PlainTextByFormatter(value);

    public void Dispose() => nuget.Dispose();
}
