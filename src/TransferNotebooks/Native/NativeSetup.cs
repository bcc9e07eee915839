using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using TorchSharp;

namespace TransferNotebooks.Native;

/// <summary>
/// Makes TorchSharp's native libraries load on Linux distributions whose libstdc++ is older than GCC 13
/// (Debian 12, Ubuntu 22.04), then initialises TorchSharp once. Runs automatically the first time the
/// library touches torch; call <see cref="EnsureTorch"/> yourself to fail early with a clear message.
/// </summary>
/// <remarks>
/// TorchSharp 0.107's shim <c>libLibTorchSharp.so</c> declares a need for <c>GLIBCXX_3.4.32</c> for one marker
/// symbol that nothing calls. Where the system libstdc++ lacks that version, this class marks that one need weak
/// (see <see cref="ElfVersionPatcher"/>) in the copy of the shim that is about to be loaded (and in the NuGet
/// package folder), then preloads it, logging one line. Nothing else is changed.
/// </remarks>
public static class NativeSetup
{
    /// <summary>The version TorchSharp 0.107's shim asks for.</summary>
    public const string NeededVersion = "GLIBCXX_3.4.32";
    /// <summary>The shim's file name on Linux.</summary>
    public const string ShimFileName = "libLibTorchSharp.so";

    static readonly Lock Gate = new();
    static bool ready;

    /// <summary>Where setup writes its one-line log messages (standard error by default).</summary>
    public static Action<string> Log { get; set; } = message => Console.Error.WriteLine("[TransferNotebooks] " + message);

    /// <summary>Lines describing what the last setup did (patched files, preloaded path), for <see cref="Doctor"/>.</summary>
    public static IReadOnlyList<string> Actions => actions;
    static readonly List<string> actions = [];

    /// <summary>The shim path that was preloaded explicitly, if any.</summary>
    public static string? PreloadedShim { get; private set; }

    /// <summary>
    /// Ensures TorchSharp's native backend is loaded, fixing the libstdc++ version need first where necessary.
    /// Idempotent and thread-safe.
    /// </summary>
    /// <exception cref="TorchLoadException">TorchSharp could not be loaded; the message names the cause and the fix.</exception>
    public static void EnsureTorch()
    {
        if (ready) return;
        lock (Gate)
        {
            if (ready) return;
            if (OperatingSystem.IsLinux() && NeedsFix() && !AutomaticFixDisabled)
                FixAndPreload();
            try
            {
                torch.InitializeDeviceType(DeviceType.CPU);
            }
            catch (Exception e)
            {
                throw TorchLoadException.From(e);
            }
            ready = true;
        }
    }

    /// <summary>Set the environment variable TRANSFERNOTEBOOKS_NO_NATIVE_FIX=1 to turn the automatic fix off (to see the raw failure, or on a managed system).</summary>
    public static bool AutomaticFixDisabled => Environment.GetEnvironmentVariable("TRANSFERNOTEBOOKS_NO_NATIVE_FIX") is "1" or "true";

    /// <summary>True when this is Linux and the system libstdc++ lacks <see cref="NeededVersion"/>.</summary>
    public static bool NeedsFix()
    {
        if (!OperatingSystem.IsLinux()) return false;
        var path = LibStdCxx.FindPath();
        if (path is null) return true;
        try { return (LibStdCxx.MaxGlibcxxMinor(path) ?? 0) < 32; }
        catch (IOException) { return true; }
    }

    /// <summary>
    /// Every copy of the shim this process might load or that the NuGet cache holds for this TorchSharp:
    /// next to the application, next to TorchSharp.dll, its "consolidated" cpu folder (dotnet fsi) and the package folder.
    /// </summary>
    public static IReadOnlyList<string> CandidateShims()
    {
        var dirs = new List<string>();
        void Add(string? d) { if (!string.IsNullOrEmpty(d)) dirs.Add(Path.GetFullPath(d)); }
        string rid = RuntimeInformation.RuntimeIdentifier.StartsWith("linux-arm64", StringComparison.Ordinal) ? "linux-arm64" : "linux-x64";
        var baseDir = AppContext.BaseDirectory;
        Add(Path.Combine(baseDir, "runtimes", rid, "native"));
        Add(baseDir);
        var torchDir = Path.GetDirectoryName(typeof(torch).Assembly.Location);
        if (!string.IsNullOrEmpty(torchDir))
        {
            Add(Path.Combine(torchDir, "runtimes", rid, "native"));
            Add(torchDir);
            Add(Path.Combine(torchDir, "cpu"));
            // NuGet layout: torchsharp/<ver>/lib/net8.0/TorchSharp.dll -> torchsharp/<ver>/runtimes/<rid>/native
            Add(Path.Combine(torchDir, "..", "..", "runtimes", rid, "native"));
        }
        var nugetRoot = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var version = typeof(torch).Assembly.GetName().Version;
        if (version is not null)
        {
            var pkg = Path.Combine(nugetRoot, "torchsharp", $"{version.Major}.{version.Minor}.{version.Build}");
            Add(Path.Combine(pkg, "runtimes", rid, "native"));
            Add(Path.Combine(pkg, "lib", "net8.0", "cpu"));
        }
        return dirs.Distinct().Select(d => Path.Combine(d, ShimFileName)).Where(File.Exists).ToList();
    }

    /// <summary>Patches every candidate copy of the shim (see <see cref="CandidateShims"/>) and returns what happened to each.</summary>
    public static IReadOnlyList<(string Path, string Result)> PatchAll()
    {
        var results = new List<(string, string)>();
        foreach (var shim in CandidateShims())
        {
            try
            {
                var outcome = ElfVersionPatcher.MakeVersionNeedWeak(shim, NeededVersion);
                results.Add((shim, outcome.ToString()));
                if (outcome == ElfPatchOutcome.Patched)
                    Note($"patched {shim}: marked its {NeededVersion} need weak (system libstdc++ lacks it; only an unused marker symbol needs it).");
            }
            catch (Exception e) when (e is UnauthorizedAccessException or IOException)
            {
                results.Add((shim, "NoWriteAccess"));
                Note($"cannot patch {shim} ({e.Message}). Fix: run 'transfernotebooks doctor --fix' as a user who can write there, or install libstdc++ from GCC 13+.");
            }
        }
        return results;
    }

    static void FixAndPreload()
    {
        PatchAll();
        // Preload the copy TorchSharp is about to use: one sitting beside libtorch_cpu.so, so its $ORIGIN run path finds its dependencies.
        var loadable = CandidateShims().FirstOrDefault(s =>
            File.Exists(Path.Combine(Path.GetDirectoryName(s)!, "libtorch_cpu.so")) && IsWeak(s));
        if (loadable is null) return;
        try
        {
            var handle = NativeLibrary.Load(loadable);
            PreloadedShim = loadable;
            actions.Add($"preloaded {loadable}");
            // Hosts such as dotnet fsi load TorchSharp.dll from a folder without the natives; point its P/Invokes at the preloaded copy.
            try
            {
                NativeLibrary.SetDllImportResolver(typeof(torch).Assembly, (name, _, _) =>
                    name is "LibTorchSharp" or "libLibTorchSharp" or ShimFileName ? handle : IntPtr.Zero);
            }
            catch (InvalidOperationException)
            {
                actions.Add("TorchSharp already has a native resolver; left it in place");
            }
        }
        catch (DllNotFoundException e)
        {
            actions.Add($"preload of {loadable} failed: {e.Message}");
        }
    }

    static bool IsWeak(string shim)
    {
        try { return ElfVersionPatcher.ReadVersionNeeds(shim).Where(n => n.Version == NeededVersion).All(n => n.IsWeak); }
        catch (IOException) { return false; }
    }

    static void Note(string message)
    {
        actions.Add(message);
        Log(message);
    }

#pragma warning disable CA2255 // deliberate: the fix must run before any TorchSharp type initialiser
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void OnLibraryLoad()
    {
        // Patch before anything can touch TorchSharp; errors surface later, translated, from EnsureTorch.
        try { if (OperatingSystem.IsLinux() && NeedsFix() && !AutomaticFixDisabled) PatchAll(); }
        catch (Exception e) { actions.Add("early patch failed: " + e.Message); }
        // Process-wide malloc settings for tensor buffers: this assembly loads before any of its code can make a tensor.
        MallocTuning.Apply();
        // MKL's kernels by instruction set on AMD CPUs: must be in the global scope before libtorch_cpu.so is loaded.
        MklCpuDispatch.Apply();
    }
}
