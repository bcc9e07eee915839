using System.Diagnostics;
using TransferNotebooks.Native;

namespace TransferNotebooks.Tests.Native;

/// <summary>
/// The build-time patcher shipped in the package (tools/native-fix, run by the package's build targets): on a NuGet-like package
/// folder with strong shims it marks the need weak in the runtimes copy and the consolidated lib/*/cpu copy, is idempotent,
/// honours TRANSFERNOTEBOOKS_NO_NATIVE_FIX=1, and reports a file it cannot fix with exit code 1 (the targets turn that into a warning).
/// </summary>
public class NativeFixToolTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("tn-native-fix-").FullName;
    public void Dispose() => Directory.Delete(dir, recursive: true);

    static string Tool()
    {
        // Same configuration as this test assembly: tests/TransferNotebooks.Tests/bin/<Configuration>/<tfm>/.
        var bin = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        string configuration = bin.Parent!.Name, tfm = bin.Name;
        var root = bin;
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "TransferNotebooks.sln"))) root = root.Parent;
        Assert.NotNull(root);
        var tool = Path.Combine(root.FullName, "src", "TransferNotebooks.NativeFix", "bin", configuration, tfm, "TransferNotebooks.NativeFix.dll");
        Assert.True(File.Exists(tool), $"build the solution first: {tool} is missing");
        return tool;
    }

    static void WriteStrongShim(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var bytes = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", NativeSetup.ShimFileName));
        var flags = ElfVersionPatcher.ReadEntries(Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", NativeSetup.ShimFileName))
            .Single(e => e.Need.Version == NativeSetup.NeededVersion).FlagsOffset;
        bytes[flags] &= unchecked((byte)~ElfVersionPatcher.VerFlgWeak);
        File.WriteAllBytes(path, bytes);
    }

    static bool IsWeak(string shim) => ElfVersionPatcher.ReadVersionNeeds(shim).Single(n => n.Version == NativeSetup.NeededVersion).IsWeak;

    static (int Code, string Output) Run(string shim, bool disabled = false)
    {
        var psi = new ProcessStartInfo("dotnet", ["exec", Tool(), shim]) { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.Environment["TRANSFERNOTEBOOKS_NO_NATIVE_FIX"] = disabled ? "1" : "0";
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
        p.WaitForExit(60_000);
        return (p.ExitCode, output);
    }

    [Fact]
    public void Patches_the_package_shim_and_its_cpu_copy_once_honours_the_opt_out_and_reports_what_it_cannot_fix()
    {
        if (!OperatingSystem.IsLinux() || !NativeSetup.NeedsFix())
        {
            Assert.False(NativeSetup.NeedsFix() && OperatingSystem.IsLinux());
            return;
        }
        var package = Path.Combine(dir, "torchsharp", "0.107.0");
        var shim = Path.Combine(package, "runtimes", "linux-x64", "native", NativeSetup.ShimFileName);
        var cpu = Path.Combine(package, "lib", "net8.0", "cpu", NativeSetup.ShimFileName);
        WriteStrongShim(shim);
        WriteStrongShim(cpu);

        var (code, output) = Run(shim, disabled: true);
        Assert.Equal(0, code);
        Assert.False(IsWeak(shim) || IsWeak(cpu), "the opt-out must not patch");

        (code, output) = Run(shim);
        Assert.True(code == 0, output);
        Assert.True(IsWeak(shim) && IsWeak(cpu), output);
        Assert.Contains("Patched: " + shim, output);
        Assert.Contains("Patched: " + cpu, output);
        Assert.Empty(Directory.EnumerateFiles(Path.GetDirectoryName(shim)!, "*.tmp"));

        (code, output) = Run(shim);
        Assert.True(code == 0, output);
        Assert.Contains("AlreadyWeak: " + shim, output);

        File.WriteAllText(shim, "not an ELF file");
        (code, output) = Run(shim);
        Assert.Equal(1, code);
        Assert.Contains("cannot mark", output);
    }
}
