using static TorchSharp.torch;

namespace TransferNotebooks.Bench.Training;

/// <summary>Diagnostics used while profiling: one dense layer's forward + backward in the two weight layouts.</summary>
static class Micro
{
    public static void Run(Options o, Dictionary<string, object?> result)
    {
        if (o.Get("conv") is not null) { Conv(o, result); return; }
        if (o.Get("ops") is not null) { ConvOps(o, result); return; }
        if (o.Get("mlp-ops") is not null) { MlpOps(o, result); return; }
        if (o.Get("scan") is not null) { Scan(o, result); return; }
        if (o.Get("gc") is not null) { GcCost(o, result); return; }
        if (o.Get("finalizers") is not null) { Finalizers(result); return; }
        int iters = o.Int("iters", 200);
        int batch = o.Int("batch", 128), fin = o.Int("in", 784), fout = o.Int("units", 512);
        using var x = rand(batch, fin);
        using var kernel = rand(fin, fout).requires_grad_(true);        // Keras layout [in, out]
        using var weight = rand(fout, fin).requires_grad_(true);        // torch layout [out, in]
        using var bias = zeros(fout).requires_grad_(true);
        var rows = new Dictionary<string, double>();
        double Time(string name, Func<Tensor> f)
        {
            for (int i = 0; i < 20; i++) { using var s = NewDisposeScope(); f().sum().backward(); }
            double t0 = Clock.Now();
            for (int i = 0; i < iters; i++) { using var s = NewDisposeScope(); f().sum().backward(); }
            double us = (Clock.Now() - t0) / iters * 1e6;
            rows[name] = us;
            Console.Error.WriteLine($"{name}: {us:0.0} us");
            return us;
        }
        Time("addmm(b, x, K[in,out])", () => addmm(bias, x, kernel, 1, 1));
        Time("addmm(b, x, W[out,in].t())", () => addmm(bias, x, weight.t(), 1, 1));
        Time("addmm(b, x, K.t().contiguous().t())", () => addmm(bias, x, kernel.t().contiguous().t(), 1, 1));
        Time("linear(x, W, b)", () => nn.functional.linear(x, weight, bias));
        Time("matmul(x, K) + b", () => x.matmul(kernel).add_(bias));
        double Plain(string name, Func<Tensor> f)
        {
            using var ng = no_grad();
            for (int i = 0; i < 20; i++) { using var s = NewDisposeScope(); f(); }
            double t0 = Clock.Now();
            for (int i = 0; i < iters; i++) { using var s = NewDisposeScope(); f(); }
            double us = (Clock.Now() - t0) / iters * 1e6;
            rows[name] = us;
            Console.Error.WriteLine($"{name}: {us:0.0} us");
            return us;
        }
        using var g = rand(batch, fout);
        Plain("fwd addmm K", () => addmm(bias, x, kernel, 1, 1));
        Plain("fwd addmm W.t()", () => addmm(bias, x, weight.t(), 1, 1));
        Plain("gradK mm(x.t(), g)", () => x.t().mm(g));
        Plain("gradW mm(g.t(), x)", () => g.t().mm(x));
        Plain("gradX K: mm(g, K.t())", () => g.mm(kernel.t()));
        Plain("gradX W: mm(g, W)", () => g.mm(weight));
        Plain("gradK via (g.t() mm x).t() contiguous", () => g.t().mm(x).t().contiguous());
        result["micro_us"] = rows;
    }

    /// <summary>The CNN's convolution stack, forward + backward, on default (NCHW) memory vs channels-last memory, interleaved.</summary>
    static void Conv(Options o, Dictionary<string, object?> result)
    {
        int iters = o.Int("iters", 30), rounds = o.Int("rounds", 5), batch = o.Int("batch", 128);
        using var x = rand(batch, 1, 28, 28);
        using var xcl = TransferNotebooks.Layers.ImageLayout.ToChannelsLastMemory(x);
        using var w1 = (randn(16, 1, 3, 3) * 0.3).requires_grad_(true);
        using var w2 = (randn(32, 16, 3, 3) * 0.1).requires_grad_(true);
        using var b1 = zeros(16).requires_grad_(true);
        using var b2 = zeros(32).requires_grad_(true);
        double Step(Tensor input)
        {
            double t0 = Clock.Now();
            for (int i = 0; i < iters; i++)
            {
                using var s = NewDisposeScope();
                var h = nn.functional.max_pool2d(nn.functional.relu(nn.functional.conv2d(input, w1, b1)), [2, 2], [2, 2]);
                h = nn.functional.max_pool2d(nn.functional.relu(nn.functional.conv2d(h, w2, b2)), [2, 2], [2, 2]);
                h.sum().backward();
            }
            return (Clock.Now() - t0) / iters * 1e3;
        }
        Step(x); Step(xcl);
        var a = new List<double>(); var b = new List<double>();
        for (int r = 0; r < rounds; r++) { a.Add(Step(x)); b.Add(Step(xcl)); }
        Console.Error.WriteLine($"conv stack fwd+bwd ms/batch: NCHW {Stats.Median(a):0.00}  channels-last {Stats.Median(b):0.00}");
        result["conv_nchw_ms"] = Stats.Median(a);
        result["conv_channels_last_ms"] = Stats.Median(b);
    }

    /// <summary>
    /// The CNN's convolution stack op by op (forward of each op, then the backward of the whole stack), NCHW vs channels-last
    /// memory, median milliseconds per batch of 128: which op the time goes to.
    /// </summary>
    static void ConvOps(Options o, Dictionary<string, object?> result)
    {
        int iters = o.Int("iters", 20), batch = o.Int("batch", 128);
        using var w1 = (randn(16, 1, 3, 3) * 0.3).requires_grad_(true);
        using var w2 = (randn(32, 16, 3, 3) * 0.1).requires_grad_(true);
        using var b1 = zeros(16).requires_grad_(true);
        using var b2 = zeros(32).requires_grad_(true);
        var rows = new Dictionary<string, double>();
        foreach (var layout in new[] { "nchw", "channels_last" })
        {
            using var x0 = rand(batch, 1, 28, 28);
            using var x = layout == "nchw" ? x0.alias() : TransferNotebooks.Layers.ImageLayout.ToChannelsLastMemory(x0);
            var times = new Dictionary<string, List<double>>();
            void T(string name, double t0) { if (!times.ContainsKey(name)) times[name] = []; times[name].Add((Clock.Now() - t0) * 1e3); }
            for (int i = 0; i < iters + 3; i++)
            {
                using var s = NewDisposeScope();
                double t = Clock.Now(); var c1 = nn.functional.conv2d(x, w1, b1); T("conv1", t);
                t = Clock.Now(); var r1 = nn.functional.relu(c1); T("relu1", t);
                t = Clock.Now(); var p1 = nn.functional.max_pool2d(r1, [2, 2], [2, 2]); T("pool1", t);
                t = Clock.Now(); var c2 = nn.functional.conv2d(p1, w2, b2); T("conv2", t);
                t = Clock.Now(); var r2 = nn.functional.relu(c2); T("relu2", t);
                t = Clock.Now(); var p2 = nn.functional.max_pool2d(r2, [2, 2], [2, 2]); T("pool2", t);
                t = Clock.Now(); var f = p2.flatten(1).sum(); T("flatten+sum", t);
                t = Clock.Now(); f.backward(); T("backward", t);
                if (i < 3) foreach (var v in times.Values) v.RemoveAt(v.Count - 1); // warm-up
            }
            // Each op's backward alone: its input a leaf, a gradient of ones flowing in.
            using (var ng = NewDisposeScope())
            {
                var c1 = nn.functional.conv2d(x, w1, b1).detach();
                var p1 = nn.functional.max_pool2d(nn.functional.relu(c1), [2, 2], [2, 2]).detach();
                var c2 = nn.functional.conv2d(p1, w2, b2).detach();
                var ops = new (string Name, Tensor Input, Func<Tensor, Tensor> Op)[]
                {
                    ("bwd conv1", x, _ => nn.functional.conv2d(x, w1, b1)),
                    ("bwd relu1", c1, t => nn.functional.relu(t)),
                    ("bwd pool1", c1, t => nn.functional.max_pool2d(t, [2, 2], [2, 2])),
                    ("bwd conv2", p1, t => nn.functional.conv2d(t, w2, b2)),
                    ("bwd pool2", c2, t => nn.functional.max_pool2d(t, [2, 2], [2, 2])),
                };
                foreach (var (name, input, op) in ops)
                {
                    for (int i = 0; i < iters + 3; i++)
                    {
                        using var s = NewDisposeScope();
                        var leaf = input.detach().requires_grad_(true);
                        var y = op(leaf);
                        var g = ones_like(y);
                        double t = Clock.Now();
                        y.backward([g]);
                        if (i >= 3) T(name, t);
                    }
                }
            }
            var line = string.Join("  ", times.Select(kv => $"{kv.Key} {Stats.Median(kv.Value):0.00}"));
            Console.Error.WriteLine($"{layout}: {line}  total {times.Values.Sum(v => Stats.Median(v)):0.00} ms");
            foreach (var (k, v) in times) rows[$"{layout}_{k}"] = Stats.Median(v);
        }
        result["ops_ms"] = rows;
    }

    /// <summary>
    /// The MLP's training step op by op with torch.nn modules (what the hand loop and Fit both run): median microseconds per
    /// batch of 128 for each op, and one scalar op's cost (the per-call overhead). bench/pytorch_mlp_ops.py is its PyTorch mirror.
    /// </summary>
    static void MlpOps(Options o, Dictionary<string, object?> result)
    {
        int iters = o.Int("iters", 300), batch = o.Int("batch", 128);
        manual_seed(1);
        using var x = rand(10000, 784);
        using var y = randint(0, 10, [10000], dtype: ScalarType.Int64);
        var fc1 = nn.Linear(784, 512); var fc2 = nn.Linear(512, 10);
        var parameters = fc1.parameters().Concat(fc2.parameters()).ToList();
        var opt = optim.Adam(parameters, lr: 0.001, eps: 1e-7);
        using var one = ones(1);
        var times = new Dictionary<string, List<double>>();
        void T(string name, double t0) { if (!times.ContainsKey(name)) times[name] = []; times[name].Add((Clock.Now() - t0) * 1e6); }
        for (int i = 0; i < iters + 20; i++)
        {
            using var s = NewDisposeScope();
            double t = Clock.Now(); var idx = randperm(10000).narrow(0, 0, batch); T("randperm+narrow", t);
            t = Clock.Now(); var xb = x.index_select(0, idx); var yb = y.index_select(0, idx); T("index_select x2", t);
            t = Clock.Now(); opt.zero_grad(); T("zero_grad", t);
            t = Clock.Now(); var h = fc1.forward(xb); T("fc1", t);
            t = Clock.Now(); var r = nn.functional.relu(h); T("relu", t);
            t = Clock.Now(); var z = fc2.forward(r); T("fc2", t);
            t = Clock.Now(); var loss = nn.functional.cross_entropy(z, yb); T("cross_entropy", t);
            t = Clock.Now(); loss.backward(); T("backward", t);
            t = Clock.Now(); opt.step(); T("adam step", t);
            t = Clock.Now(); _ = loss.item<float>(); T("item", t);
            t = Clock.Now(); for (int k = 0; k < 100; k++) one.add(one).Dispose(); T("100x scalar add", t);
            if (i < 20) foreach (var v in times.Values) v.RemoveAt(v.Count - 1); // warm-up
        }
        var line = string.Join("\n", times.Select(kv => $"{kv.Key,-18} {Stats.Median(kv.Value),9:0.0} us"));
        Console.Error.WriteLine(line);
        result["mlp_ops_us"] = times.ToDictionary(kv => kv.Key, kv => Stats.Median(kv.Value));
    }

    /// <summary>One read of an IMDB-sized multi-hot input (15,000 x 10,000 floats): what Fit's NaN check costs per call, beside one batch's gather.</summary>
    static void Scan(Options o, Dictionary<string, object?> result)
    {
        var (x, _) = BenchData.ImdbMultiHot(15000);
        var sums = new List<double>(); var gathers = new List<double>(); var batchSums = new List<double>(); var maxes = new List<double>(); var aminmaxes = new List<double>();
        for (int r = 0; r < o.Int("rounds", 7); r++)
        {
            double t = Clock.Now();
            using (var s = x.sum()) s.item<float>();
            sums.Add((Clock.Now() - t) * 1e3);
            t = Clock.Now();
            using (var m = x.max()) m.item<float>();
            maxes.Add((Clock.Now() - t) * 1e3);
            t = Clock.Now();
            using (var m = x.amax(new long[] { 0, 1 })) m.item<float>();
            aminmaxes.Add((Clock.Now() - t) * 1e3);
            using var idx = randperm(x.shape[0]).narrow(0, 0, 512);
            t = Clock.Now();
            for (int i = 0; i < 30; i++) x.index_select(0, idx).Dispose();
            gathers.Add((Clock.Now() - t) / 30 * 1e3);
            double inSum = 0;
            for (int i = 0; i < 30; i++)
            {
                using var b = x.index_select(0, idx);
                t = Clock.Now();
                using (var s = b.sum()) s.item<float>();
                inSum += Clock.Now() - t;
            }
            batchSums.Add(inSum / 30 * 1e3);
        }
        Console.Error.WriteLine($"max {Stats.Median(maxes):0.0} ms ({string.Join(", ", maxes.Select(v => v.ToString("0")))}); amax {Stats.Median(aminmaxes):0.0} ms");
        Console.Error.WriteLine($"sum of all {x.numel()} values: median {Stats.Median(sums):0.0} ms ({string.Join(", ", sums.Select(v => v.ToString("0")))}); gather of 512 rows {Stats.Median(gathers):0.00} ms; sum of a just-gathered batch {Stats.Median(batchSums):0.000} ms");
        result["scan_sum_ms"] = Stats.Median(sums);
        result["gather_512_ms"] = Stats.Median(gathers);
        result["sum_of_gathered_batch_ms"] = Stats.Median(batchSums);
    }

    /// <summary>
    /// Objects each step of an IMDB-shaped training batch leaves for the finalizer thread (Fit's per-epoch collection finalizes
    /// them): 100 calls of each inside a dispose scope, then a collection and the finalization queue's length, per call.
    /// </summary>
    static void Finalizers(Dictionary<string, object?> result)
    {
        using var m = BenchModels.Imdb.Keras();
        var (x, y) = (rand(512, 10000), randint(0, 2, new long[] { 512 }).to_type(ScalarType.Float32));
        var groups = m.TrainableParameterGroups();
        var counts = new Dictionary<string, double>();
        result["finalizable_per_call"] = counts;
        void Count(string what, Action a)
        {
            GC.Collect(); GC.WaitForPendingFinalizers(); GC.Collect();
            for (int i = 0; i < 100; i++) { using var s = NewDisposeScope(); a(); }
            GC.Collect();
            counts[what] = GC.GetGCMemoryInfo().FinalizationPendingCount / 100.0;
            Console.Error.WriteLine($"{what,-28} {counts[what],6:0.00} finalizable objects per call");
            GC.WaitForPendingFinalizers();
        }
        var px = m.PrepareInput(x);
        Count("nothing", () => { });
        Count("PrepareInput", () => m.PrepareInput(x));
        Count("ZeroGrad", () => m.ZeroGrad());
        Count("Forward", () => m.Forward(px, training: true, forLoss: true));
        Count("Forward+Loss", () => { var o = m.Forward(px, training: true, forLoss: true); m.Loss.Compute(y, o.Output, o.Form); });
        Count("Forward+Loss+backward", () => { m.ZeroGrad(); var o = m.Forward(px, training: true, forLoss: true); m.Loss.Compute(y, o.Output, o.Form).backward(); });
        Count("Optimizer.Step", () => m.Optimizer.Step(groups));
        Count("TrainableParameterGroups", () => m.TrainableParameterGroups());
        var metric = new TransferNotebooks.Metrics.BinaryAccuracy();
        var z = randn(512, 1);
        Count("BinaryAccuracy.Update", () => metric.Update(y, z.sigmoid()));
        // The TorchSharp calls behind those counts (why the loop uses size(i) and explicit alpha Scalars):
        using var idx = arange(0, 512);
        using TorchSharp.Scalar one = 1.0;
        Count("index_select", () => x.index_select(0, idx));
        Count("x.shape", () => { var sh = x.shape; });
        Count("x.size(0)", () => { var sh = x.size(0); });
        Count("x.gt(0.5) (implicit Scalar)", () => x.gt(0.5));
        Count("z.add_(z)", () => z.add_(z));
        Count("z.add_(z, one)", () => z.add_(z, one));
    }

    /// <summary>
    /// What Fit's once-per-epoch collection costs: a full blocking GC (gen 2) vs a gen-1 one, each followed by
    /// WaitForPendingFinalizers, after a batch's worth of TorchSharp garbage; with <c>--heap-mb N</c> the process first holds N MB of
    /// small managed objects (a notebook kernel's compiler state is hundreds of MB).
    /// </summary>
    static void GcCost(Options o, Dictionary<string, object?> result)
    {
        var keep = new List<object>();
        long heapBytes = o.Int("heap-mb", 0) * 1024L * 1024;
        for (long b = 0; b < heapBytes; b += 64) keep.Add(new byte[32]);
        GC.Collect();
        var rows = new Dictionary<string, List<double>> { ["gen2"] = [], ["gen1"] = [], ["gen0"] = [] };
        using var t = ones(512, 16);
        for (int r = 0; r < o.Int("rounds", 20); r++)
            foreach (var gen in new[] { 2, 1, 0 })
            {
                for (int i = 0; i < 200; i++) { using var s = NewDisposeScope(); t.add(t, 2).mul(0.5); } // implicit Scalars: finalizer garbage
                double t0 = Clock.Now();
                GC.Collect(gen, GCCollectionMode.Forced, blocking: true);
                GC.WaitForPendingFinalizers();
                rows[$"gen{gen}"].Add((Clock.Now() - t0) * 1e3);
            }
        Console.Error.WriteLine($"managed heap {GC.GetTotalMemory(false) >> 20} MB: GC.Collect() {Stats.Median(rows["gen2"]):0.00} ms, GC.Collect(1) {Stats.Median(rows["gen1"]):0.00} ms, GC.Collect(0) {Stats.Median(rows["gen0"]):0.00} ms (+ WaitForPendingFinalizers, medians)");
        result["gc_ms"] = rows.ToDictionary(kv => kv.Key, kv => Stats.Median(kv.Value));
        GC.KeepAlive(keep);
    }
}
