using TransferNotebooks.Native;

namespace TransferNotebooks.NativeFix;

/// <summary>
/// Marks TorchSharp's <c>GLIBCXX_3.4.32</c> need weak in the shims named on the command line, before a build copies them.
/// Usage: <c>dotnet TransferNotebooks.NativeFix.dll SHIM...</c>. For a shim inside a NuGet package
/// (<c>runtimes/RID/native/libLibTorchSharp.so</c>) it also fixes the package's <c>lib/*/cpu</c> copy that TorchSharp makes for
/// notebooks and scripts. Does nothing off Linux, where libstdc++ has the version, or with TRANSFERNOTEBOOKS_NO_NATIVE_FIX=1.
/// Exit code 0 when every copy is fine; 1 when one could not be fixed (one line each on standard output saying why and what to do).
/// </summary>
static class Program
{
    /// <summary>The version TorchSharp 0.107's shim asks for; the same as the library's <c>NativeSetup.NeededVersion</c>.</summary>
    const string NeededVersion = "GLIBCXX_3.4.32";

    static int Main(string[] args)
    {
        if (!OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable("TRANSFERNOTEBOOKS_NO_NATIVE_FIX") is "1" or "true")
            return 0;
        var std = LibStdCxx.FindPath();
        try
        {
            if (std is not null && LibStdCxx.MaxGlibcxxMinor(std) >= 32) return 0;
        }
        catch (IOException) { }

        int failures = 0;
        foreach (var shim in args.SelectMany(WithPackageCopies).Distinct())
        {
            try
            {
                var outcome = ElfVersionPatcher.MakeVersionNeedWeak(shim, NeededVersion);
                Console.WriteLine($"{outcome}: {shim}");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
            {
                failures++;
                Console.WriteLine($"cannot mark the {NeededVersion} need of {shim} weak ({e.Message}); make it writable for this user, "
                    + "or run 'transfernotebooks doctor --fix' as its owner, or install GCC 13+'s libstdc++.");
            }
        }
        return failures == 0 ? 0 : 1;
    }

    /// <summary>The shim itself and, inside a NuGet package, the package's consolidated <c>lib/*/cpu</c> copies.</summary>
    static IEnumerable<string> WithPackageCopies(string shim)
    {
        var full = Path.GetFullPath(shim);
        if (File.Exists(full)) yield return full;
        var native = Path.GetDirectoryName(full);
        var rid = native is null ? null : Path.GetDirectoryName(native);
        var runtimes = rid is null ? null : Path.GetDirectoryName(rid);
        if (native is null || rid is null || runtimes is null || Path.GetFileName(native) != "native" || Path.GetFileName(runtimes) != "runtimes")
            yield break;
        var lib = Path.Combine(Path.GetDirectoryName(runtimes)!, "lib");
        if (!Directory.Exists(lib)) yield break;
        foreach (var tfm in Directory.EnumerateDirectories(lib))
        {
            var copy = Path.Combine(tfm, "cpu", Path.GetFileName(full));
            if (File.Exists(copy)) yield return copy;
        }
    }
}
