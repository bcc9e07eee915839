using TransferNotebooks.Kernel.Languages;

namespace TransferNotebooks.Kernel.Tests.Languages;

public class ScriptDirectivesTests
{
    [Fact]
    public void Nuget_and_assembly_directives_are_taken_out_keeping_line_numbers()
    {
        var parsed = ScriptDirectives.Parse("#i \"nuget: ../artifacts/feed\"\n#r \"nuget: Newtonsoft.Json, 13.0.3\"\n#r \"nuget:TransferNotebooks\"\n#r \"lib/My.dll\"\nvar x = 1;");
        Assert.Equal(["../artifacts/feed"], parsed.Sources);
        Assert.Equal([("Newtonsoft.Json", "13.0.3"), ("TransferNotebooks", (string?)null)], parsed.Packages);
        Assert.Equal(["lib/My.dll"], parsed.Assemblies);
        Assert.Equal("\n\n\n\nvar x = 1;", parsed.Code);
    }

    [Fact]
    public void Directives_inside_strings_or_code_lines_are_left_alone()
    {
        const string code = "var s = \"#r \\\"nuget: X\\\"\";";
        var parsed = ScriptDirectives.Parse(code);
        Assert.Empty(parsed.Packages);
        Assert.Equal(code, parsed.Code);
    }

    [Fact]
    public void Load_paths_are_collected_and_their_lines_kept_for_Roslyn()
    {
        var parsed = ScriptDirectives.Parse("#load \"lib/a.csx\"\n#r \"nuget: X, 1.0.0\"\nvar y = 2;");
        Assert.Equal(["lib/a.csx"], parsed.Loads);
        Assert.Equal([("X", (string?)"1.0.0")], parsed.Packages);
        Assert.Equal("#load \"lib/a.csx\"\n\nvar y = 2;", parsed.Code);
    }
}
