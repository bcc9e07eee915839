using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Scripting;

namespace TransferNotebooks.Kernel.Languages;

/// <summary>
/// Scripts pulled in with <c>#load "file.csx"</c> (dotnet-script's way to split a script): Roslyn reads them through this
/// resolver, which hands it their text without the directives the kernel handles (<c>#r "nuget:"</c>, <c>#i</c>,
/// <c>#r "file.dll"</c>: Roslyn's own resolver rejects a "nuget:" reference), and <see cref="Gather"/> collects those
/// directives from the whole <c>#load</c> tree first, so their packages are restored before the compile. Paths are
/// relative to the file that names them (a cell's: relative to the base directory).
/// </summary>
public sealed class LoadedScripts(string baseDirectory) : SourceReferenceResolver
{
    readonly SourceReferenceResolver files = ScriptSourceResolver.Default.WithBaseDirectory(baseDirectory);

    /// <summary>The directives of every script <paramref name="root"/> loads, directly or not, each once, with its folder.</summary>
    public IReadOnlyList<(ScriptDirectives.Parsed Directives, string Folder)> Gather(ScriptDirectives.Parsed root, string? rootPath)
    {
        var found = new List<(ScriptDirectives.Parsed, string)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<(string Load, string? From)>(root.Loads.Reverse().Select(l => (l, rootPath)));
        while (pending.Count > 0)
        {
            var (load, from) = pending.Pop();
            // Unresolvable loads are left to Roslyn, which reports them with the file and line.
            if (files.ResolveReference(load, from) is not { } path || !File.Exists(path) || !seen.Add(path)) continue;
            var parsed = ScriptDirectives.Parse(File.ReadAllText(path));
            found.Add((parsed, Path.GetDirectoryName(path)!));
            foreach (var nested in parsed.Loads.Reverse()) pending.Push((nested, path));
        }
        return found;
    }

    public override string? NormalizePath(string path, string? baseFilePath) => files.NormalizePath(path, baseFilePath);

    public override string? ResolveReference(string path, string? baseFilePath) => files.ResolveReference(path, baseFilePath);

    public override Stream OpenRead(string resolvedPath) =>
        new MemoryStream(Encoding.UTF8.GetBytes(ScriptDirectives.Parse(File.ReadAllText(resolvedPath)).Code));

    public override bool Equals(object? other) => other is LoadedScripts o && Equals(files, o.files);

    public override int GetHashCode() => files.GetHashCode();
}
