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

    public static string Kind => Mode switch { "cpu" => "thread-cpu", "process" => "process-cpu", _ => "wall" };

    [StructLayout(LayoutKind.Sequential)]
    struct TimeSpec { public long Seconds; public long Nanoseconds; }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, out TimeSpec time);

    public static double Now()
    {
        if (Mode is not ("cpu" or "process")) return Stopwatch.GetTimestamp() / (double)Stopwatch.Frequency;
        ClockGetTime(Mode == "cpu" ? 3 /* CLOCK_THREAD_CPUTIME_ID */ : 2 /* CLOCK_PROCESS_CPUTIME_ID */, out var t);
        return t.Seconds + t.Nanoseconds * 1e-9;
    }
}
