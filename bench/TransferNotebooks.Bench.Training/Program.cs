using System.Diagnostics;
using System.Text.Json;
using TransferNotebooks.Bench.Training;
using TransferNotebooks.Native;
using static TorchSharp.torch;

// Usage: TransferNotebooks.Bench.Training <case> [options] [--out file.json]
//   speed <mlp|cnn|imdb> [--rounds 5] [--epochs 1] [--samples N] [--warmup 1]   Fit vs hand loop vs floors, interleaved, samples/s
//         [--variants fit,hand,...] (this order first, reversed every other round) [--jit-log file.tsv] (JitLog.cs)
//   phases <mlp|cnn|imdb>                                          per-phase stopwatch of one epoch, Fit's steps and the hand loop's
//   memory <fit|eval|hand> [--epochs 20]                            RSS after GC and live tensors per epoch
//   latency                                                         Predict latency: 1 sample, 1,000 samples
//   onnx-latency                                                    ONNX Runtime on the exported MLP/CNN beside Predict
//   export-imdb <path> [--samples N]                                IMDB multi-hot subset for the PyTorch peer
//   micro --scan 1 | --gc 1 [--heap-mb N] | --finalizers 1 | ...    profiling diagnostics (Micro.cs): NaN-check read, GC cost,
//                                                                   objects each training step leaves for the finalizer
// Threads: torch.set_num_threads(2) (TN_THREADS overrides). Clock: wall (TN_CLOCK=cpu: this thread's CPU time; =process: the process's).
if (args.Length == 0) { Console.Error.WriteLine("usage: <speed|phases|memory|latency|export-imdb> ..."); return 2; }
NativeSetup.EnsureTorch();
int threads = int.TryParse(Environment.GetEnvironmentVariable("TN_THREADS"), out var t) ? t : 2;
set_num_threads(threads);
var opts = Options.Parse(args.Skip(1));
var result = new Dictionary<string, object?>
{
    ["case"] = args[0], ["threads"] = threads, ["torchsharp"] = typeof(TorchSharp.torch).Assembly.GetName().Version?.ToString(),
    ["dotnet"] = Environment.Version.ToString(), ["omp_wait_policy"] = Environment.GetEnvironmentVariable("OMP_WAIT_POLICY") ?? "",
    ["malloc_tuning"] = MallocTuning.Status, ["mkl_dispatch"] = MklCpuDispatch.Status, ["mkl_code_path"] = MklCpuDispatch.MklCodePath(),
};
switch (args[0])
{
    case "speed": Cases.Speed(opts, result); break;
    case "phases": Cases.Phases(opts, result); break;
    case "memory": Cases.Memory(opts, result); break;
    case "latency": Cases.Latency(opts, result); break;
    case "onnx-latency": OnnxLatency.Run(opts, result, threads); break;
    case "micro": Micro.Run(opts, result); break;
    case "export-imdb": BenchData.ExportImdb(opts.Positional[0], opts.Int("samples", 15000)); break;
    default: Console.Error.WriteLine($"unknown case {args[0]}"); return 2;
}
var json = JsonSerializer.Serialize(result, new JsonSerializerOptions { WriteIndented = true });
if (opts.Get("out") is { } outPath) File.WriteAllText(outPath, json);
else Console.WriteLine(json);
return 0;

sealed class Options
{
    readonly Dictionary<string, string> named = [];
    public List<string> Positional { get; } = [];

    public static Options Parse(IEnumerable<string> args)
    {
        var o = new Options();
        var list = args.ToList();
        for (int i = 0; i < list.Count; i++)
            if (list[i].StartsWith("--", StringComparison.Ordinal)) o.named[list[i][2..]] = list[++i];
            else o.Positional.Add(list[i]);
        return o;
    }

    public string? Get(string name) => named.TryGetValue(name, out var v) ? v : null;
    public int Int(string name, int fallback) => Get(name) is { } v ? int.Parse(v) : fallback;
}

static class Stats
{
    /// <summary>Median seconds of <paramref name="runs"/> calls of <paramref name="a"/> after <paramref name="warmup"/> untimed ones (the latency cases).</summary>
    public static double MedianSeconds(Action a, int warmup, int runs)
    {
        for (int i = 0; i < warmup; i++) a();
        var times = new double[runs];
        for (int i = 0; i < runs; i++)
        {
            double t0 = Clock.Now();
            a();
            times[i] = Clock.Now() - t0;
        }
        return Median(times);
    }

    public static double Median(IEnumerable<double> values)
    {
        var s = values.Order().ToArray();
        return s.Length == 0 ? double.NaN : s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2;
    }

    /// <summary>Resident set size after a full collection (finalizers run), in bytes.</summary>
    public static long Rss()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        using var p = Process.GetCurrentProcess();
        p.Refresh();
        return p.WorkingSet64;
    }

    /// <summary>Tensors alive now (created minus disposed or finalized, all threads), as TorchSharp counts them.</summary>
    public static long LiveTensors() => Tensor.TotalCount;
}
