using System.Diagnostics;
using TransferNotebooks.Native;

namespace TransferNotebooks.Tests.Native;

/// <summary>
/// End to end: an application folder whose TorchSharp shim is unpatched, with the automatic fix switched off, must fail with
/// the translated error (cause + fix), and with the fix on it must heal itself. Runs the real CLI in a child process.
/// </summary>
public class UnpatchedLoadTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("tn-unpatched-").FullName;
    public void Dispose() => Directory.Delete(dir, recursive: true);

    string AppWithStrongShim()
    {
        var bin = AppContext.BaseDirectory;
        // Managed files are copied (the host resolves symbolic links to the real application folder); big native files are linked.
        foreach (var file in Directory.EnumerateFiles(bin))
            File.Copy(file, Path.Combine(dir, Path.GetFileName(file)));
        var native = Path.Combine(dir, "runtimes", "linux-x64", "native");
        Directory.CreateDirectory(native);
        foreach (var file in Directory.EnumerateFiles(Path.Combine(bin, "runtimes", "linux-x64", "native")))
            if (Path.GetFileName(file) != NativeSetup.ShimFileName)
                File.CreateSymbolicLink(Path.Combine(native, Path.GetFileName(file)), file);
        var shim = Path.Combine(native, NativeSetup.ShimFileName);
        File.Copy(Path.Combine(bin, "runtimes", "linux-x64", "native", NativeSetup.ShimFileName), shim);
        var entryInfo = ElfVersionPatcher.ReadEntries(shim).Single(e => e.Need.Version == NativeSetup.NeededVersion);
        var bytes = File.ReadAllBytes(shim);
        bytes[entryInfo.FlagsOffset] &= unchecked((byte)~ElfVersionPatcher.VerFlgWeak);
        File.WriteAllBytes(shim, bytes);
        return shim;
    }

    (int Code, string Output) Doctor(bool disableFix)
    {
        var psi = new ProcessStartInfo("dotnet", [Path.Combine(dir, "TransferNotebooks.Cli.dll"), "doctor"])
        { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = dir };
        psi.Environment["TRANSFERNOTEBOOKS_NO_NATIVE_FIX"] = disableFix ? "1" : "0";
        // Keep the NuGet cache out of it: only the copy in this folder may be loaded.
        psi.Environment["NUGET_PACKAGES"] = Path.Combine(dir, "no-nuget-cache");
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
        p.WaitForExit(120_000);
        return (p.ExitCode, output);
    }

    [Fact]
    public void Without_the_fix_doctor_names_the_problem_and_the_fix_and_with_it_the_app_heals_itself()
    {
        if (!OperatingSystem.IsLinux() || !NativeSetup.NeedsFix())
        {
            // Where the system libstdc++ already has GLIBCXX_3.4.32 there is nothing to fix; the unit tests of the patcher still run.
            Assert.False(NativeSetup.NeedsFix() && OperatingSystem.IsLinux());
            return;
        }
        var shim = AppWithStrongShim();
        var (code, output) = Doctor(disableFix: true);
        Assert.NotEqual(0, code);
        Assert.Contains("GLIBCXX_3.4.32", output);
        Assert.Contains("doctor --fix", output);
        Assert.False(ElfVersionPatcher.ReadVersionNeeds(shim).Single(n => n.Version == NativeSetup.NeededVersion).IsWeak, "disabled fix must not patch");

        (code, output) = Doctor(disableFix: false);
        Assert.True(code == 0, output);
        Assert.Contains("patched " + shim, output);
        Assert.True(ElfVersionPatcher.ReadVersionNeeds(shim).Single(n => n.Version == NativeSetup.NeededVersion).IsWeak);
    }
}
