using System.Diagnostics;
using System.Runtime.InteropServices;

namespace TransferNotebooks.Bench.Training;

/// <summary>
/// Timestamps in seconds: wall clock by default; with TN_CLOCK=cpu, the calling thread's CPU time (robust on a busy machine
/// when torch runs single-threaded, TN_THREADS=1); with TN_CLOCK=process, the whole process's CPU time, which also counts the
/// runtime's own threads (background JIT, GC, finalizers; with TN_THREADS=1 there is no OpenMP worker to spin). Both are
/// used while developing, never for the reported figures.
/// </summary>
static partial class Clock
{
    static readonly string Mode = Environment.GetEnvironmentVariable("TN_CLOCK") ?? "wall";

    /// <summary>The clock_gettime clock for a CPU-time mode (CLOCK_THREAD_CPUTIME_ID 3, CLOCK_PROCESS_CPUTIME_ID 2); null: wall clock.</summary>
    static readonly int? CpuClock = Mode switch { "cpu" => 3, "process" => 2, _ => null };

    public static string Kind => Mode switch { "cpu" => "thread-cpu", "process" => "process-cpu", _ => "wall" };

    [StructLayout(LayoutKind.Sequential)]
    struct TimeSpec { public long Seconds; public long Nanoseconds; }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, out TimeSpec time);

    public static double Now()
    {
        if (CpuClock is not { } clock) return Stopwatch.GetTimestamp() / (double)Stopwatch.Frequency;
        ClockGetTime(clock, out var t);
        return t.Seconds + t.Nanoseconds * 1e-9;
    }
}
