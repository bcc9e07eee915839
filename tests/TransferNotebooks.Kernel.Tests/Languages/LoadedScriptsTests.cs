using System.Text;
using TransferNotebooks.Kernel.Languages;

namespace TransferNotebooks.Kernel.Tests.Languages;

public sealed class LoadedScriptsTests : IDisposable
{
    readonly string folder = Path.Combine(Path.GetTempPath(), "tn-load-" + Guid.NewGuid().ToString("N"));

    public LoadedScriptsTests()
    {
        Directory.CreateDirectory(Path.Combine(folder, "lib", "deep"));
        File.WriteAllText(Path.Combine(folder, "lib", "a.csx"), "#r \"nuget: A, 1.0.0\"\n#load \"deep/b.csx\"\nint A() => 1;\n");
        File.WriteAllText(Path.Combine(folder, "lib", "deep", "b.csx"), "#i \"nuget: feed\"\n#r \"B.dll\"\n#load \"../a.csx\"\nint B() => 2;\n");
    }

    public void Dispose() => Directory.Delete(folder, true);

    [Fact]
    public void Gather_walks_the_load_tree_once_per_file_relative_to_the_loading_file()
    {
        var main = Path.Combine(folder, "main.csx");
        var loaded = new LoadedScripts("/elsewhere");

        var found = loaded.Gather(ScriptDirectives.Parse("#load \"lib/a.csx\"\nA();"), main);

        Assert.Equal([Path.Combine(folder, "lib"), Path.Combine(folder, "lib", "deep")], found.Select(f => f.Folder));
        Assert.Equal([("A", (string?)"1.0.0")], found[0].Directives.Packages);
        Assert.Equal(["feed"], found[1].Directives.Sources);
        Assert.Equal(["B.dll"], found[1].Directives.Assemblies);
    }

    [Fact]
    public void A_cells_loads_start_at_the_base_directory_and_missing_files_are_left_to_Roslyn()
    {
        var loaded = new LoadedScripts(folder);

        var found = loaded.Gather(ScriptDirectives.Parse("#load \"lib/deep/b.csx\"\n#load \"lib/absent.csx\""), null);

        Assert.Equal([Path.Combine(folder, "lib", "deep"), Path.Combine(folder, "lib")], found.Select(f => f.Folder));
    }

    [Fact]
    public void Roslyn_reads_loaded_files_without_the_kernels_directives_line_numbers_kept()
    {
        var loaded = new LoadedScripts(folder);
        var path = loaded.ResolveReference("lib/deep/b.csx", null)!;

        using var reader = new StreamReader(loaded.OpenRead(path), Encoding.UTF8);

        Assert.Equal("\n\n#load \"../a.csx\"\nint B() => 2;\n", reader.ReadToEnd());
    }
}
