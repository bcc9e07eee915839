using System.Runtime.InteropServices;

namespace TransferNotebooks.Native;

/// <summary>
/// Keeps tensor-sized buffers in glibc's heap instead of handing them back to the kernel after every batch.
/// </summary>
/// <remarks>
/// libtorch allocates every activation and gradient with <c>malloc</c>. glibc's default policy maps
/// each buffer above 128 KB with its own <c>mmap</c> and unmaps it on free, or trims the heap top back to the kernel, so
/// every training step touches megabytes of fresh pages: page faults, zeroing by the kernel, and on VMs with free page
/// reporting a round trip to the host. Measured on the MNIST CNN (batch 128, 2 threads, AMD EPYC with AVX-512): the
/// convolution stack's backward took 35 ms per batch, 3.7 ms with the buffers kept; Fit went from 3,900 to 17,000
/// samples/s. So the library sets, once per process, <c>M_MMAP_THRESHOLD</c> to 32 MB (glibc's own upper bound for
/// its dynamic threshold; larger buffers, such as a whole data set, are still mapped and returned) and
/// <c>M_TRIM_THRESHOLD</c> to 2 GB (the heap is not shrunk after each step: its peak stays resident and is reused). PyTorch
/// 1.13 pays the same faults under the defaults (921,011 minor faults running the same conv stack). Linux with glibc only. Skipped when the user set glibc's malloc tunables
/// (<c>GLIBC_TUNABLES</c> naming <c>glibc.malloc</c>, <c>MALLOC_MMAP_THRESHOLD_</c>, <c>MALLOC_TRIM_THRESHOLD_</c>) or
/// <c>TRANSFERNOTEBOOKS_NO_MALLOC_TUNING=1</c>.
/// </remarks>
public static class MallocTuning
{
    /// <summary>Buffers below this many bytes come from the heap (32 MB).</summary>
    public const int MmapThreshold = 32 * 1024 * 1024;
    /// <summary>The heap is returned to the kernel only when this much is free at its top (2 GB, the largest value mallopt takes).</summary>
    public const int TrimThreshold = int.MaxValue;

    const int M_TRIM_THRESHOLD = -1, M_MMAP_THRESHOLD = -3;
    static readonly Lock Gate = new();
    static bool attempted;

    /// <summary>What <see cref="Apply"/> did: "applied", or why it did not (for <see cref="Doctor"/>).</summary>
    public static string Status { get; private set; } = "not attempted";

    /// <summary>True when the settings are in effect in this process.</summary>
    public static bool Applied { get; private set; }

    /// <summary>Set <c>TRANSFERNOTEBOOKS_NO_MALLOC_TUNING=1</c> to leave glibc's malloc settings alone.</summary>
    public static bool Disabled => Environment.GetEnvironmentVariable("TRANSFERNOTEBOOKS_NO_MALLOC_TUNING") is "1" or "true";

    /// <summary>Applies the settings once per process (later calls return the first outcome). Never throws.</summary>
    /// <returns>True when the settings are in effect.</returns>
    public static bool Apply()
    {
        lock (Gate)
        {
            if (attempted) return Applied;
            attempted = true;
            Status = Decide();
            Applied = Status == "applied";
            return Applied;
        }
    }

    static string Decide()
    {
        if (!OperatingSystem.IsLinux()) return "skipped: not Linux";
        if (Disabled) return "skipped: TRANSFERNOTEBOOKS_NO_MALLOC_TUNING is set";
        if (UserTunedMalloc(Environment.GetEnvironmentVariable)) return "skipped: glibc malloc tunables set in the environment";
        try
        {
            // mallopt returns 1 on success, 0 when glibc refuses the value; musl's stub returns 0 too.
            if (Mallopt(M_MMAP_THRESHOLD, MmapThreshold) != 1) return "skipped: mallopt(M_MMAP_THRESHOLD) refused (not glibc?)";
            if (Mallopt(M_TRIM_THRESHOLD, TrimThreshold) != 1) return "skipped: mallopt(M_TRIM_THRESHOLD) refused";
            return "applied";
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return "skipped: no mallopt in libc (" + e.GetType().Name + ")";
        }
    }

    /// <summary>True when the environment already sets glibc's malloc thresholds (then the user's choice stands).</summary>
    internal static bool UserTunedMalloc(Func<string, string?> getenv) =>
        getenv("GLIBC_TUNABLES") is { } t && t.Contains("glibc.malloc.", StringComparison.Ordinal)
        || getenv("MALLOC_MMAP_THRESHOLD_") is not null
        || getenv("MALLOC_TRIM_THRESHOLD_") is not null;

    [DllImport("libc", EntryPoint = "mallopt")]
    static extern int Mallopt(int param, int value);
}
