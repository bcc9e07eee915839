using System.Diagnostics;
using TorchSharp;
using TransferNotebooks.Models;
using static TorchSharp.torch;
using static TransferNotebooks.Keras;

namespace TransferNotebooks.Bench.Training;

/// <summary>The three ways of training that are compared: Fit, the idiomatic TorchSharp loop, and the compute floor.</summary>
static class Loops
{
    /// <summary>model.Fit for <paramref name="epochs"/> epochs on a fresh model; seconds (model creation excluded).</summary>
    public static double Fit(ModelCase c, Tensor x, Tensor y, int epochs, int seed, bool metrics = true, bool functional = false)
    {
        JitLog.Mark("build");
        using KerasModel model = functional ? AsFunctional(c.Keras()) : c.Keras();
        if (!metrics) model.Compile(model.Optimizer, model.Loss, Array.Empty<string>());
        JitLog.Mark("timed");
        double t0 = Clock.Now();
        model.Fit(x, y, epochs: epochs, batchSize: c.BatchSize, seed: seed, verbose: 0);
        double t = Clock.Now() - t0;
        JitLog.Mark("after");
        return t;
    }

    /// <summary>
    /// The same layers as a functional graph (Input, each layer called on the previous output, <c>new Functional</c>), compiled
    /// like the Sequential: the "fit_functional" variant, to show that a graph model trains as fast as a stack.
    /// </summary>
    static Functional AsFunctional(Sequential stack)
    {
        var inputs = Input(stack.InputShape!);
        var x = inputs;
        foreach (var layer in stack.Layers) x = layer.Call(x);
        var graph = new Functional(inputs, x);
        graph.Compile(stack.Optimizer, stack.Loss, stack.MetricNames);
        return graph;
    }

    /// <summary>
    /// The idiomatic hand-written TorchSharp loop: torch.nn module, torch.optim, per-batch index_select of a shuffled index
    /// (same generator and seed as Fit, so the same batch order), loss.item() every batch, a dispose scope per batch.
    /// <paramref name="xt"/> and <paramref name="yt"/> are already in torch layout. Returns seconds (module creation excluded).
    /// </summary>
    public static double Hand(ModelCase c, Tensor xt, Tensor yt, int epochs, int seed, Action<int>? afterEpoch = null)
    {
        JitLog.Mark("build");
        manual_seed(seed);
        using var module = c.Torch();
        using var optimizer = c.TorchOptimizer(module);
        using var lossFn = c.TorchLoss();
        JitLog.Mark("timed");
        double t0 = Clock.Now();
        module.train();
        using var generator = new Generator((ulong)seed);
        long n = xt.shape[0];
        int bs = c.BatchSize;
        double sum = 0;
        for (int e = 0; e < epochs; e++)
        {
            using var perm = randperm(n, generator: generator);
            for (long start = 0; start < n; start += bs)
            {
                using var scope = NewDisposeScope();
                long len = Math.Min(bs, n - start);
                var idx = perm.narrow(0, start, len);
                var xb = xt.index_select(0, idx);
                var yb = yt.index_select(0, idx);
                optimizer.zero_grad();
                var loss = lossFn.call(module.call(xb), yb);
                loss.backward();
                optimizer.step();
                sum += loss.item<float>();
            }
            afterEpoch?.Invoke(e);
        }
        if (double.IsNaN(sum)) throw new InvalidOperationException("hand loop diverged");
        double t = Clock.Now() - t0;
        JitLog.Mark("after");
        return t;
    }

    /// <summary>The compute floor: forward + loss + backward + optimizer step repeated on one fixed batch (torch.nn + torch.optim), nothing else.</summary>
    public static double Floor(ModelCase c, Tensor xt, Tensor yt, int iterations, int seed)
    {
        manual_seed(seed);
        using var module = c.Torch();
        using var optimizer = c.TorchOptimizer(module);
        using var lossFn = c.TorchLoss();
        module.train();
        using var xb = xt.narrow(0, 0, c.BatchSize);
        using var yb = yt.narrow(0, 0, c.BatchSize);
        double t0 = Clock.Now();
        for (int i = 0; i < iterations; i++)
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            var loss = lossFn.call(module.call(xb), yb);
            loss.backward();
            optimizer.step();
        }
        return Clock.Now() - t0;
    }

    /// <summary>The library's own compute without the loop: its layers, fused loss and Keras optimizer on one fixed batch.</summary>
    public static double FloorKeras(ModelCase c, Tensor x, Tensor y, int iterations, int seed, bool gather = false)
    {
        manual_seed(seed);
        using var model = c.Keras();
        using var outer = NewDisposeScope();
        var px = model.PrepareInput(x);
        var xb = px.narrow(0, 0, c.BatchSize);
        var yb = y.narrow(0, 0, c.BatchSize);
        var perm = randperm(x.shape[0]);
        long n = x.shape[0];
        var groups = model.TrainableParameterGroups();
        double t0 = Clock.Now();
        for (int i = 0; i < iterations; i++)
        {
            using var scope = NewDisposeScope();
            if (gather)
            {
                long start = (long)i * c.BatchSize % (n - c.BatchSize);
                var idx = perm.narrow(0, start, c.BatchSize);
                xb = px.index_select(0, idx);
                yb = y.index_select(0, idx);
            }
            model.ZeroGrad();
            var output = model.Forward(xb, training: true, forLoss: true);
            var loss = model.Loss.Compute(yb, output.Output, output.Form);
            loss.backward();
            model.Optimizer.Step(groups);
        }
        return Clock.Now() - t0;
    }
}
