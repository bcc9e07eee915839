using System.Diagnostics;

namespace TransferNotebooks.Kernel.Tests;

/// <summary>The <c>run</c> verb, as a user runs it: <c>dotnet TransferNotebooks.Kernel.dll run script.csx [args]</c>.</summary>
public sealed class ScriptRunnerTests : IDisposable
{
    readonly string folder = Path.Combine(Path.GetTempPath(), "tn-csx-" + Guid.NewGuid().ToString("N"));

    public ScriptRunnerTests() => Directory.CreateDirectory(folder);

    public void Dispose() => Directory.Delete(folder, true);

    (int Code, string Stdout, string Stderr) Run(string script, params string[] args)
    {
        var path = Path.Combine(folder, "script.csx");
        File.WriteAllText(path, script);
        return RunFile(path, args);
    }

    static (int Code, string Stdout, string Stderr) RunFile(string path, params string[] args)
    {
        var kernel = typeof(ScriptRunner).Assembly.Location;
        var psi = new ProcessStartInfo("dotnet", [kernel, "run", path, .. args])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        Assert.True(p.WaitForExit(TimeSpan.FromMinutes(2)), "the script did not finish");
        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    [Fact]
    public void Runs_a_script_with_its_args_displays_as_text_and_its_return_value_as_exit_code()
    {
        var (code, stdout, stderr) = Run("""
            Console.WriteLine("args: " + string.Join("|", Args));
            display(new[] { 1, 2 });
            Console.WriteLine("folder: " + AppContext.GetData("EntryPointFileDirectoryPath"));
            return Args.Count + 1;
            """, "--", "a", "b c");

        Assert.Equal("", stderr);
        Assert.Equal(3, code);
        Assert.Equal(["args: a|b c", "[ 1, 2 ]", "folder: " + folder], stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void A_compile_error_exits_1_naming_file_line_and_column()
    {
        var (code, _, stderr) = Run("var x = 1;\nint y = \"not an int\";\n");

        Assert.Equal(1, code);
        Assert.StartsWith($"{Path.Combine(folder, "script.csx")}:2:9: error CS0029:", stderr);
    }

    [Fact]
    public void An_exception_exits_1_naming_the_line_that_threw()
    {
        var (code, stdout, stderr) = Run("""
            Console.WriteLine("before");
            int Fail(int x) =>
                x > 0 ? throw new InvalidOperationException("boom") : x;
            Fail(1);
            Console.WriteLine("after");
            """);

        Assert.Equal(1, code);
        Assert.Equal("before\n", stdout);
        Assert.StartsWith($"{Path.Combine(folder, "script.csx")}:3: error: System.InvalidOperationException: boom", stderr);
    }

    [Fact]
    public void Load_finds_a_script_relative_to_the_one_loading_it()
    {
        Directory.CreateDirectory(Path.Combine(folder, "lib"));
        File.WriteAllText(Path.Combine(folder, "lib", "twice.csx"), "int Twice(int x) => 2 * x;\n");

        var (code, stdout, stderr) = Run("#load \"lib/twice.csx\"\nConsole.WriteLine(Twice(21));\n");

        Assert.Equal((0, "42\n", ""), (code, stdout, stderr));
    }

    [Fact]
    public void A_loaded_scripts_references_are_resolved_relative_to_it()
    {
        var lib = Path.Combine(folder, "lib");
        Directory.CreateDirectory(lib);
        File.Copy(typeof(Assert).Assembly.Location, Path.Combine(lib, "xunit.assert.dll"));
        File.WriteAllText(Path.Combine(lib, "helper.csx"), "#r \"xunit.assert.dll\"\nstring Name() => typeof(Xunit.Assert).Assembly.GetName().Name!;\n");

        var (code, stdout, stderr) = Run("#load \"lib/helper.csx\"\nConsole.WriteLine(Name());\n");

        Assert.Equal((0, "xunit.assert\n", ""), (code, stdout, stderr));
    }

    [Fact]
    public void A_reference_that_cannot_be_loaded_exits_1_naming_its_directives_line()
    {
        var (code, stdout, stderr) = Run("// references\n#i \"nuget: feed\"\n#r \"absent.dll\"\nConsole.WriteLine(1);\n");

        Assert.Equal((1, ""), (code, stdout));
        Assert.StartsWith($"{Path.Combine(folder, "script.csx")}:3: error: ", stderr);
        Assert.Contains("absent.dll", stderr);
    }

    [Fact]
    public void A_missing_script_is_a_usage_error()
    {
        var (code, _, stderr) = RunFile(Path.Combine(folder, "absent.csx"));

        Assert.Equal(2, code);
        Assert.Contains("absent.csx: no such script", stderr);
    }
}
