using System.Diagnostics;
using TorchSharp;
using TransferNotebooks.Training;
using TransferNotebooks.Training.Callbacks;
using static TorchSharp.torch;

namespace TransferNotebooks.Bench.Training;

static class Cases
{
    static (Tensor X, Tensor Y) Load(ModelCase c, int samples)
    {
        if (c.Name == "imdb") return BenchData.ImdbMultiHot(samples > 0 ? samples : 15000);
        var (x, y) = BenchData.Mnist(train: true);
        if (samples > 0 && samples < x.shape[0]) { x = x.narrow(0, 0, samples); y = y.narrow(0, 0, samples); }
        return (x, y);
    }

    /// <summary>Fit vs the hand loop vs the floors, interleaved (order reversed every round), median samples/s.</summary>
    public static void Speed(Options o, Dictionary<string, object?> result)
    {
        var c = BenchModels.Get(o.Positional[0]);
        var (x, y) = Load(c, o.Int("samples", 0));
        var xt = c.TorchInput(x);
        var yt = c.TorchTarget(y);
        long n = x.shape[0];
        int epochs = o.Int("epochs", c.Name switch { "cnn" => 1, "imdb" => 4, _ => 2 }); // IMDB: the Keras book's final fit is 4 epochs
        int rounds = o.Int("rounds", 5);
        int seed = 1;
        int steps = (int)((n + c.BatchSize - 1) / c.BatchSize);
        int iterations = steps * epochs;
        var variants = (o.Get("variants") ?? "fit,hand,floor,floor_keras").Split(',');
        double Run(string v) => v switch
        {
            "fit" => n * epochs / Loops.Fit(c, x, y, epochs, seed),
            "fit_functional" => n * epochs / Loops.Fit(c, x, y, epochs, seed, functional: true),
            "fit_nometrics" => n * epochs / Loops.Fit(c, x, y, epochs, seed, metrics: false),
            "hand" => n * epochs / Loops.Hand(c, xt, yt, epochs, seed),
            "floor" => (double)iterations * c.BatchSize / Loops.Floor(c, xt, yt, iterations, seed),
            "floor_keras" => (double)iterations * c.BatchSize / Loops.FloorKeras(c, x, y, iterations, seed),
            "floor_keras_gather" => (double)iterations * c.BatchSize / Loops.FloorKeras(c, x, y, iterations, seed, gather: true),
            _ => throw new ArgumentException(v),
        };
        // Warm-up: JIT, allocator, first-touch pages. --warmup N runs every variant N times first (default 1).
        int warmup = o.Int("warmup", 1);
        var jitLogPath = o.Get("jit-log");
        if (jitLogPath is not null) JitLog.Start();
        for (int w = 0; w < warmup; w++) foreach (var v in variants) { JitLog.Prefix = $"w{w + 1} {v}"; Run(v); }
        var samples = variants.ToDictionary(v => v, _ => new List<double>());
        // JIT work still going on during a timed run (tier-up of hot methods, on the runtime's background thread): another
        // reason two short runs differ, reported per variant so that a reader can see it.
        var jitMs = variants.ToDictionary(v => v, _ => new List<double>());
        for (int r = 0; r < rounds; r++)
        {
            var order = r % 2 == 0 ? variants : variants.Reverse().ToArray();
            foreach (var v in order)
            {
                JitLog.Prefix = $"r{r + 1} {v}";
                var jit0 = System.Runtime.JitInfo.GetCompilationTime();
                long methods0 = System.Runtime.JitInfo.GetCompiledMethodCount();
                double s = Run(v);
                double jit = (System.Runtime.JitInfo.GetCompilationTime() - jit0).TotalMilliseconds;
                long methods = System.Runtime.JitInfo.GetCompiledMethodCount() - methods0;
                samples[v].Add(s);
                jitMs[v].Add(jit);
                Console.Error.WriteLine($"{c.Name} round {r + 1} {v}: {s:0} samples/s (JIT during the run {jit:0.0} ms, {methods} methods, from #{methods0})");
            }
        }
        if (jitLogPath is not null) { JitLog.Prefix = ""; JitLog.Mark("end"); JitLog.Write(jitLogPath); }
        var median = samples.ToDictionary(kv => kv.Key, kv => Stats.Median(kv.Value));
        result["clock"] = Clock.Kind;
        result["model"] = c.Name;
        result["samples"] = n;
        result["epochs_per_run"] = epochs;
        result["batch_size"] = c.BatchSize;
        result["rounds"] = rounds;
        result["warmup"] = warmup;
        // The variant that runs first after the warm-up takes most of the runtime's tier-up of the code both loops share
        // (TorchSharp, the BCL): bench/run alternates it between processes, and the report shows it per process.
        result["first"] = variants[0];
        result["runs"] = samples;
        result["jit_ms"] = jitMs;
        result["median"] = median;
        if (median.ContainsKey("fit") && median.ContainsKey("hand")) result["fit_over_hand"] = median["fit"] / median["hand"];
        if (median.ContainsKey("fit") && median.ContainsKey("fit_functional")) result["functional_over_sequential"] = median["fit_functional"] / median["fit"];
        if (median.ContainsKey("fit") && median.ContainsKey("floor")) result["fit_over_floor"] = median["fit"] / median["floor"];
        if (median.ContainsKey("hand") && median.ContainsKey("floor")) result["hand_over_floor"] = median["hand"] / median["floor"];
        foreach (var kv in median) Console.Error.WriteLine($"{c.Name} median {kv.Key}: {kv.Value:0} samples/s");
    }

    /// <summary>Stopwatch per phase over one epoch (after a warm-up epoch), for Fit's steps and for the hand loop's.</summary>
    public static void Phases(Options o, Dictionary<string, object?> result)
    {
        var c = BenchModels.Get(o.Positional[0]);
        var (x, y) = Load(c, o.Int("samples", 0));
        long n = x.shape[0];
        int bs = c.BatchSize;
        var keras = new Dictionary<string, double>();
        var hand = new Dictionary<string, double>();
        void Add(Dictionary<string, double> d, string k, double t0) => d[k] = d.GetValueOrDefault(k) + (Clock.Now() - t0) * 1000;

        using (var model = c.Keras())
        {
            var groups = model.TrainableParameterGroups();
            var metrics = model.CreateMetrics();
            for (int pass = 0; pass < 2; pass++)
            {
                keras.Clear();
                foreach (var m in metrics) m.Reset();
                using var epochScope = NewDisposeScope();
                double t0 = Clock.Now();
                var px = model.PrepareInput(x);
                using var perm = randperm(n);
                bool probabilitiesNeeded = metrics.Any(m => !m.UsesOnlyScoreOrder);
                var lossSum = zeros(1, dtype: ScalarType.Float64);
                Add(keras, "epoch start", t0);
                for (long start = 0; start < n; start += bs)
                {
                    long len = Math.Min(bs, n - start);
                    using var scope = NewDisposeScope();
                    t0 = Clock.Now();
                    var idx = perm.narrow(0, start, len);
                    var xb = px.index_select(0, idx); var yb = y.index_select(0, idx);
                    model.ZeroGrad();
                    Add(keras, "index_select + zero_grad", t0); t0 = Clock.Now();
                    var output = model.Forward(xb, training: true, forLoss: true);
                    Add(keras, "forward", t0); t0 = Clock.Now();
                    var loss = model.Loss.Compute(yb, output.Output, output.Form);
                    Add(keras, "loss", t0); t0 = Clock.Now();
                    loss.backward();
                    Add(keras, "backward", t0); t0 = Clock.Now();
                    model.Optimizer.Step(groups);
                    Add(keras, "optimizer step", t0); t0 = Clock.Now();
                    using (no_grad())
                    {
                        lossSum.add_(loss, len);
                        var scores = probabilitiesNeeded && output.FinalActivation is { } act ? act(output.Output.detach()) : output.Output.detach();
                        foreach (var m in metrics) m.Update(yb, scores);
                    }
                    Add(keras, "loss sum + metrics", t0); t0 = Clock.Now();
                }
                t0 = Clock.Now();
                _ = lossSum.item<double>();
                foreach (var m in metrics) m.Result();
                GC.Collect(); GC.WaitForPendingFinalizers();
                Add(keras, "epoch end (read + GC)", t0);
            }
            foreach (var m in metrics) m.Dispose();
        }

        var xt = c.TorchInput(x);
        var yt = c.TorchTarget(y);
        using (var module = c.Torch())
        using (var optimizer = c.TorchOptimizer(module))
        using (var lossFn = c.TorchLoss())
        {
            module.train();
            for (int pass = 0; pass < 2; pass++)
            {
                hand.Clear();
                using var perm = randperm(n);
                for (long start = 0; start < n; start += bs)
                {
                    long len = Math.Min(bs, n - start);
                    using var scope = NewDisposeScope();
                    double t0 = Clock.Now();
                    var idx = perm.narrow(0, start, len);
                    var xb = xt.index_select(0, idx); var yb = yt.index_select(0, idx);
                    optimizer.zero_grad();
                    Add(hand, "index_select + zero_grad", t0); t0 = Clock.Now();
                    var output = module.call(xb);
                    Add(hand, "forward", t0); t0 = Clock.Now();
                    var loss = lossFn.call(output, yb);
                    Add(hand, "loss", t0); t0 = Clock.Now();
                    loss.backward();
                    Add(hand, "backward", t0); t0 = Clock.Now();
                    optimizer.step();
                    Add(hand, "optimizer step", t0); t0 = Clock.Now();
                    _ = loss.item<float>();
                    Add(hand, "loss.item", t0);
                }
            }
        }
        result["clock"] = Clock.Kind;
        result["model"] = c.Name;
        result["fit_phases_ms"] = keras;
        result["hand_phases_ms"] = hand;
        Console.Error.WriteLine($"{c.Name}: Fit's steps (ms per epoch of {n}): " + string.Join(", ", keras.Select(kv => $"{kv.Key} {kv.Value:0.0}")) + $"; total {keras.Values.Sum():0}");
        Console.Error.WriteLine($"{c.Name}: hand loop (ms per epoch): " + string.Join(", ", hand.Select(kv => $"{kv.Key} {kv.Value:0.0}")) + $"; total {hand.Values.Sum():0}");
    }

    sealed class MemoryProbe(List<Dictionary<string, double>> rows) : Callback
    {
        public override void OnEpochEnd(int epoch, Logs logs) => rows.Add(Row(epoch + 1));
    }

    static Dictionary<string, double> Row(int epoch) => new()
    {
        ["epoch"] = epoch, ["rss_mb"] = Stats.Rss() / 1048576.0, ["live_tensors"] = Stats.LiveTensors(),
        ["scope_live"] = DisposeScopeManager.Statistics.ThreadTotalLiveCount,
    };

    /// <summary>RSS after GC and live tensors at every epoch (fit, hand) or every Evaluate + Predict round (eval), 20 by default.</summary>
    public static void Memory(Options o, Dictionary<string, object?> result)
    {
        string what = o.Positional[0];
        int epochs = o.Int("epochs", 20);
        var c = BenchModels.Mlp;
        var (x, y) = BenchData.Mnist(train: true);
        var rows = new List<Dictionary<string, double>> { Row(0) };
        switch (what)
        {
            case "fit":
            {
                using var model = c.Keras();
                var clock = Stopwatch.StartNew();
                model.Fit(x, y, epochs: epochs, batchSize: c.BatchSize, seed: 1, verbose: 0, callbacks: [new MemoryProbe(rows)]);
                result["fit_seconds"] = clock.Elapsed.TotalSeconds;
                var (xt, yt) = BenchData.Mnist(train: false);
                var eval = model.Evaluate(xt, yt, batchSize: 128);
                result["test_accuracy"] = eval.Accuracy;
                result["test_loss"] = eval.Loss;
                result["test_samples"] = eval.Samples;
                break;
            }
            case "eval":
            {
                using var model = c.Keras();
                model.Fit(x, y, epochs: 1, batchSize: c.BatchSize, seed: 1, verbose: 0);
                var (xt, yt) = BenchData.Mnist(train: false);
                rows[0] = Row(0);
                for (int e = 1; e <= epochs; e++)
                {
                    model.Evaluate(xt, yt, batchSize: 128);
                    using (var p = model.Predict(xt, batchSize: 128)) { }
                    rows.Add(Row(e));
                }
                break;
            }
            case "hand":
                Loops.Hand(c, x, y, epochs, 1, e => rows.Add(Row(e + 1)));
                break;
            default: throw new ArgumentException($"memory {what}: use fit, eval or hand");
        }
        result["subject"] = what;
        result["per_epoch"] = rows;
        double r2 = rows.First(r => r["epoch"] == 2)["rss_mb"], rl = rows[^1]["rss_mb"];
        result["rss_epoch2_mb"] = r2;
        result["rss_last_mb"] = rl;
        result["rss_growth_2_to_last"] = (rl - r2) / r2;
        result["live_tensors_epoch2"] = rows.First(r => r["epoch"] == 2)["live_tensors"];
        result["live_tensors_last"] = rows[^1]["live_tensors"];
        Console.Error.WriteLine($"memory {what}: RSS epoch 2 {r2:0.0} MB, epoch {rows[^1]["epoch"]} {rl:0.0} MB ({(rl - r2) / r2:P1}); live tensors {result["live_tensors_epoch2"]} -> {result["live_tensors_last"]}"
            + (result.TryGetValue("test_accuracy", out var acc) ? $"; test accuracy {acc:0.0000}" : ""));
    }

    /// <summary>Predict latency (median of many calls): one sample and 1,000 samples, beside the bare torch module's forward.</summary>
    public static void Latency(Options o, Dictionary<string, object?> result)
    {
        var (xt, _) = BenchData.Mnist(train: false);
        var rows = new Dictionary<string, double>();
        foreach (var c in new[] { BenchModels.Mlp, BenchModels.Cnn })
        {
            using var model = c.Keras();
            using var one = xt.narrow(0, 0, 1).contiguous();
            using var thousand = xt.narrow(0, 0, 1000).contiguous();
            rows[$"{c.Name}_predict_1_us"] = Stats.MedianSeconds(() => { using var p = model.Predict(one); }, 50, 500) * 1e6;
            rows[$"{c.Name}_predict_1000_b1000_ms"] = Stats.MedianSeconds(() => { using var p = model.Predict(thousand, batchSize: 1000); }, 5, 30) * 1e3;
            rows[$"{c.Name}_predict_1000_b32_ms"] = Stats.MedianSeconds(() => { using var p = model.Predict(thousand); }, 3, 15) * 1e3;
            using var module = c.Torch();
            module.eval();
            using var oneT = c.TorchInput(one);
            using var thousandT = c.TorchInput(thousand);
            rows[$"{c.Name}_torch_forward_1_us"] = Stats.MedianSeconds(() => { using var g = no_grad(); using var p = module.call(oneT); }, 50, 500) * 1e6;
            rows[$"{c.Name}_torch_forward_1000_ms"] = Stats.MedianSeconds(() => { using var g = no_grad(); using var p = module.call(thousandT); }, 5, 30) * 1e3;
        }
        result["latency"] = rows;
        foreach (var kv in rows) Console.Error.WriteLine($"{kv.Key}: {kv.Value:0.00}");
    }
}
