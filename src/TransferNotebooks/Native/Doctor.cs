using System.Runtime.InteropServices;
using System.Text;
using TorchSharp;

namespace TransferNotebooks.Native;

/// <summary>One line of a <see cref="DoctorReport"/>.</summary>
/// <param name="Name">What was checked.</param>
/// <param name="Ok">True when healthy.</param>
/// <param name="Detail">What was found.</param>
/// <param name="Fix">What to do when not healthy (null when healthy).</param>
public sealed record DoctorCheck(string Name, bool Ok, string Detail, string? Fix = null);

/// <summary>The result of <see cref="Doctor.Run"/>.</summary>
/// <param name="Checks">Every check, in order.</param>
public sealed record DoctorReport(IReadOnlyList<DoctorCheck> Checks)
{
    /// <summary>True when every check passed.</summary>
    public bool Healthy => Checks.All(c => c.Ok);

    /// <inheritdoc />
    public override string ToString()
    {
        var sb = new StringBuilder();
        foreach (var c in Checks)
        {
            sb.Append(c.Ok ? "[ok]   " : "[FAIL] ").Append(c.Name.PadRight(18)).Append(' ').AppendLine(c.Detail);
            if (!c.Ok && c.Fix is not null) sb.Append("       fix: ").AppendLine(c.Fix);
        }
        sb.AppendLine(Healthy ? "healthy: TorchSharp loads and computes." : "NOT healthy: see the fixes above.");
        return sb.ToString();
    }
}

/// <summary>Checks that TorchSharp can load and compute here, says where every native library came from, and how to fix what is wrong.</summary>
public static class Doctor
{
    /// <summary>Runs every check. With <paramref name="fix"/>, first patches every copy of the shim it can find (see <see cref="NativeSetup.PatchAll"/>).</summary>
    public static DoctorReport Run(bool fix = false)
    {
        var checks = new List<DoctorCheck>
        {
            new("os", true, $"{RuntimeInformation.OSDescription} ({RuntimeInformation.RuntimeIdentifier}), .NET {Environment.Version}"),
        };
        if (OperatingSystem.IsLinux())
        {
            var std = LibStdCxx.FindPath();
            int? level = std is null ? null : LibStdCxx.MaxGlibcxxMinor(std);
            checks.Add(new("libstdc++", true, std is null ? "not found" : $"{std}: GLIBCXX up to 3.4.{level}"
                + (level < 32 ? " (older than the 3.4.32 TorchSharp 0.107 asks for; the weak-need fix applies)" : "")));
            if (fix)
                foreach (var (path, result) in NativeSetup.PatchAll())
                    checks.Add(new("patch", result != "NoWriteAccess", $"{path}: {result}",
                        result == "NoWriteAccess" ? $"make {path} writable for this user (or run doctor --fix as its owner)" : null));
            if (NativeSetup.NeedsFix())
                foreach (var shim in NativeSetup.CandidateShims())
                {
                    bool weak = ElfVersionPatcher.ReadVersionNeeds(shim).Where(n => n.Version == NativeSetup.NeededVersion).All(n => n.IsWeak);
                    checks.Add(new("shim", weak, $"{shim}: {NativeSetup.NeededVersion} need is {(weak ? "weak (fixed)" : "strong (will fail to load)")}",
                        weak ? null : "run 'transfernotebooks doctor --fix' (or Doctor.Run(fix: true)); the library also does it on first use when it may write there"));
                }
        }

        checks.Add(new("TorchSharp", true, $"{typeof(torch).Assembly.GetName().Version} from {typeof(torch).Assembly.Location}"));
        try
        {
            NativeSetup.EnsureTorch();
            using var t = torch.ones(2, 2);
            var sum = t.matmul(t).sum().item<float>();
            checks.Add(new("compute", sum == 8f, $"ones(2,2)@ones(2,2) sums to {sum} (expected 8)", sum == 8f ? null : "the native backend computes wrong results; reinstall TorchSharp-cpu"));
            checks.Add(new("libtorch", true, torch.__version__ ?? "unknown"));
            checks.Add(new("threads", true, $"{torch.get_num_threads()} intra-op threads on {Environment.ProcessorCount} cores"));
            checks.Add(new("malloc", true, $"tensor buffers below {MallocTuning.MmapThreshold >> 20} MB kept in the heap: {MallocTuning.Status}"));
            checks.Add(new("mkl", true, $"MKL code path {MklCpuDispatch.MklCodePath()?.ToString() ?? "unknown"} (0 = generic): {MklCpuDispatch.Status}"));
            checks.Add(new("device", true, torch.cuda.is_available() ? $"CUDA available ({torch.cuda.device_count()} devices)" : "CPU (no CUDA)"));
        }
        catch (TorchLoadException e)
        {
            checks.Add(new("load", false, e.Message, "run 'transfernotebooks doctor --fix'; if that cannot write, install GCC 13+'s libstdc++ (e.g. from a newer distribution)"));
        }
        checks.AddRange(LoadedNativeLibraries());
        return new DoctorReport(checks);
    }

    static IEnumerable<DoctorCheck> LoadedNativeLibraries()
    {
        if (!File.Exists("/proc/self/maps")) yield break;
        var libs = File.ReadLines("/proc/self/maps")
            .Select(l => l.IndexOf('/') is var i and >= 0 ? l[i..].Trim() : null)
            .Where(p => p is not null && (p.Contains("libtorch", StringComparison.Ordinal) || p.Contains("libc10", StringComparison.Ordinal) || p.Contains(NativeSetup.ShimFileName, StringComparison.Ordinal)))
            .Distinct()
            .ToList();
        var dirs = libs.Select(Path.GetDirectoryName).Distinct().ToList();
        foreach (var lib in libs)
            yield return new DoctorCheck("loaded from", true, lib!);
        bool systemTorch = libs.Any(l => l!.StartsWith("/usr/", StringComparison.Ordinal) && !l.Contains("dotnet", StringComparison.Ordinal));
        if (systemTorch)
            yield return new DoctorCheck("shadowing", false, "a system libtorch under /usr is loaded instead of TorchSharp-cpu's copy",
                "remove that libtorch from LD_LIBRARY_PATH / ld.so.conf for this process, or uninstall it");
        else if (dirs.Count > 2)
            yield return new DoctorCheck("shadowing", false, "native libraries come from several folders: " + string.Join(", ", dirs),
                "make sure LD_LIBRARY_PATH does not point at another libtorch");
    }
}
