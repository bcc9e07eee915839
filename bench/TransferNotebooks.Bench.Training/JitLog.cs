using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

namespace TransferNotebooks.Bench.Training;

/// <summary>
/// Which methods the runtime compiles, when, at which tier and for how long, attributed to the benchmark phase running at
/// the time (<c>speed ... --jit-log file.tsv</c>). Listens to the runtime's own JIT events (MethodJittingStarted and
/// MethodLoadVerbose, keyword 0x10) in process; the phases are wall-clock intervals that the loops mark
/// (<see cref="Mark"/>), so a method compiled on the background tier-up thread during a timed Fit lands in that Fit's phase
/// even when its event is delivered later. A diagnostic: the listener itself costs CPU, so never for the reported figures.
/// </summary>
sealed class JitLog : EventListener
{
    static JitLog? active;
    readonly ConcurrentDictionary<ulong, DateTime> started = new();
    readonly ConcurrentQueue<(DateTime At, double Ms, string Tier, string Name)> compiled = new();
    readonly List<(DateTime At, string Label)> marks = [];
    bool enabled;

    /// <summary>Starts listening (once per process); phases are marked from then on.</summary>
    public static void Start() { active ??= new JitLog(); active.enabled = true; Mark("start"); }

    /// <summary>The current round and variant, prefixed to the loops' marks.</summary>
    public static string Prefix { get; set; } = "";

    /// <summary>Marks the start of a phase (no-op when the log is off); labels are made unique with <see cref="Prefix"/>.</summary>
    public static void Mark(string label)
    {
        if (active is not { } log) return;
        label = Prefix.Length > 0 ? $"{Prefix} {label}" : label;
        lock (log.marks) log.marks.Add((DateTime.UtcNow, label));
    }

    protected override void OnEventSourceCreated(EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime") EnableEvents(source, EventLevel.Verbose, (EventKeywords)0x10);
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        if (!enabled || e.Payload is null || e.PayloadNames is null) return;
        object? Get(string name) { int i = e.PayloadNames.IndexOf(name); return i < 0 ? null : e.Payload[i]; }
        if (e.EventName is { } n && n.StartsWith("MethodJittingStarted", StringComparison.Ordinal))
        {
            if (Get("MethodID") is ulong id) started[id] = e.TimeStamp;
        }
        else if (e.EventName is { } m && m.StartsWith("MethodLoadVerbose", StringComparison.Ordinal) && Get("MethodID") is ulong id)
        {
            if (!started.TryRemove(id, out var t0)) return; // not jitted (R2R code being published)
            uint flags = Convert.ToUInt32(Get("MethodFlags") ?? 0u);
            // MethodFlags bits 7-10: the optimization tier (the runtime's JitOptimizationTier: 1 MinOptJitted, 2 Optimized,
            // 3 QuickJitted, 4 OptimizedTier1, 5 OptimizedTier1OSR, 6 QuickJittedInstrumented, 7 OptimizedTier1Instrumented)
            string tier = ((flags >> 7) & 0xF) switch
            {
                1 => "minopts", 2 => "optimized", 3 => "tier0", 4 => "tier1", 5 => "tier1-osr", 6 => "tier0-instr", 7 => "tier1-instr", var k => $"tier?{k}",
            };
            compiled.Enqueue((t0, (e.TimeStamp - t0).TotalMilliseconds, tier, $"{Get("MethodNamespace")}::{Get("MethodName")}"));
        }
    }

    /// <summary>Writes one line per compiled method (phase, ms, tier, name) and a per-phase summary to stderr.</summary>
    public static void Write(string path)
    {
        if (active is not { } log) return;
        Thread.Sleep(500); // let the last events arrive
        log.enabled = false;
        var marks = log.marks.OrderBy(m => m.At).ToArray();
        (string Label, DateTime At) PhaseOf(DateTime at)
        {
            var phase = ("before", marks[0].At);
            foreach (var m in marks) { if (m.At > at) break; phase = (m.Label, m.At); }
            return phase;
        }
        var rows = log.compiled.OrderBy(c => c.At).Select(c => (Phase: PhaseOf(c.At), c.At, c.Ms, c.Tier, c.Name)).ToList();
        // phase, ms into the phase when compilation started, ms it took (wall clock), tier, method
        File.WriteAllLines(path, rows.Select(r =>
            $"{r.Phase.Label}\t{(r.At - r.Phase.At).TotalMilliseconds:0.0}\t{r.Ms:0.000}\t{r.Tier}\t{r.Name}"));
        foreach (var g in rows.GroupBy(r => r.Phase.Label))
            Console.Error.WriteLine($"jit {g.Key}: {g.Count()} methods, {g.Sum(r => r.Ms):0.0} ms");
    }
}
