using System.Diagnostics;
using System.Runtime.InteropServices;

namespace TransferNotebooks.Bench.Training;

/// <summary>
/// Timestamps in seconds: wall clock by default; with TN_CLOCK=cpu, the calling thread's CPU time (robust on a busy machine
/// when torch runs single-threaded, TN_THREADS=1; used while developing, never for the reported figures).
/// </summary>
static partial class Clock
{
    static readonly bool Cpu = Environment.GetEnvironmentVariable("TN_CLOCK") == "cpu";

    public static string Kind => Cpu ? "thread-cpu" : "wall";

    [StructLayout(LayoutKind.Sequential)]
    struct TimeSpec { public long Seconds; public long Nanoseconds; }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, out TimeSpec time);

    public static double Now()
    {
        if (!Cpu) return Stopwatch.GetTimestamp() / (double)Stopwatch.Frequency;
        ClockGetTime(3 /* CLOCK_THREAD_CPUTIME_ID */, out var t);
        return t.Seconds + t.Nanoseconds * 1e-9;
    }
}
