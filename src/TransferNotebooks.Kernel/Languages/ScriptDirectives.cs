using System.Text.RegularExpressions;

namespace TransferNotebooks.Kernel.Languages;

/// <summary>
/// The C# cell directives the kernel handles itself: <c>#r "nuget: Name, Version"</c>, <c>#i "nuget: source"</c> and
/// <c>#r "path.dll"</c>. They are removed from the code (replaced by blank lines so line numbers stay right). The paths of
/// <c>#load "file.csx"</c> are collected too (the line stays: Roslyn loads the file, see <see cref="LoadedScripts"/>).
/// </summary>
public static partial class ScriptDirectives
{
    public sealed record Parsed(string Code, IReadOnlyList<(string Name, string? Version)> Packages, IReadOnlyList<string> Sources, IReadOnlyList<string> Assemblies, IReadOnlyList<string> Loads);

    [GeneratedRegex("""^\s*#(?<kind>r|i|load)\s+"(?<arg>[^"]*)"\s*;?\s*(//.*)?$""")]
    private static partial Regex Directive();

    public static Parsed Parse(string code)
    {
        var packages = new List<(string, string?)>();
        var sources = new List<string>();
        var assemblies = new List<string>();
        var loads = new List<string>();
        var lines = code.Replace("\r\n", "\n").Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var m = Directive().Match(lines[i]);
            if (!m.Success) continue;
            var kind = m.Groups["kind"].Value;
            var arg = m.Groups["arg"].Value.Trim();
            if (kind == "load")
            {
                loads.Add(arg);
                continue;
            }
            if (arg.StartsWith("nuget:", StringComparison.OrdinalIgnoreCase))
            {
                var spec = arg["nuget:".Length..].Trim();
                if (kind == "i") sources.Add(spec);
                else
                {
                    var parts = spec.Split(',', 2, StringSplitOptions.TrimEntries);
                    packages.Add((parts[0], parts.Length > 1 && parts[1].Length > 0 ? parts[1] : null));
                }
            }
            else if (kind == "r") assemblies.Add(arg);
            else continue;
            lines[i] = "";
        }
        return new Parsed(string.Join("\n", lines), packages, sources, assemblies, loads);
    }
}
