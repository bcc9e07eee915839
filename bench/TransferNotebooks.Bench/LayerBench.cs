using System.Diagnostics;
using TransferNotebooks.Native;
using static TorchSharp.torch;

namespace TransferNotebooks.Bench;

/// <summary>
/// The recurrent layer against libtorch's fused one: the library's LSTM (Keras weights, a step loop in C#) and
/// TorchSharp's <c>nn.LSTM</c> on the same batch, forward + backward and forward only. The PyTorch peer is bench/pytorch_lstm.py.
/// </summary>
static class LayerBench
{
    const int Batch = 128, Steps = 200, Features = 32, Units = 32, Rounds = 10;

    public static void Run()
    {
        NativeSetup.EnsureTorch();
        set_num_threads(2);
        manual_seed(1);
        using var ours = new TransferNotebooks.Layers.LSTM(Units);
        ours.Build([Steps, Features]);
        using var fused = nn.LSTM(Features, Units, batchFirst: true);
        using var x = randn(Batch, Steps, Features);
        Func<Tensor> oursTrain = () => ours.Call(x, training: true);
        Func<Tensor> fusedTrain = () => fused.call(x).Item2[0];
        var train = Interleaved(() => Step(oursTrain, backward: true), () => Step(fusedTrain, backward: true));
        var infer = Interleaved(() => Step(() => ours.Call(x, training: false), backward: false), () => Step(() => fused.call(x).Item1, backward: false));
        var policy = $"OMP_WAIT_POLICY={Environment.GetEnvironmentVariable("OMP_WAIT_POLICY") ?? "default"}";
        Console.WriteLine($"[{policy}] LSTM({Units}) on [{Batch}, {Steps}, {Features}], forward + backward: library {train.A:0.0} ms, TorchSharp nn.LSTM (fused) {train.B:0.0} ms (median of {Rounds})");
        Console.WriteLine($"[{policy}] LSTM({Units}) on [{Batch}, {Steps}, {Features}], forward only (no_grad): library {infer.A:0.0} ms, TorchSharp nn.LSTM (fused) {infer.B:0.0} ms");
    }

    static void Step(Func<Tensor> forward, bool backward)
    {
        using var scope = NewDisposeScope();
        if (backward) forward().sum().backward();
        else using (no_grad()) forward();
    }

    /// <summary>Median milliseconds of A and B run alternately (after one warm-up each).</summary>
    static (double A, double B) Interleaved(Action a, Action b)
    {
        a(); b();
        var ta = new List<double>();
        var tb = new List<double>();
        var clock = new Stopwatch();
        for (int r = 0; r < Rounds; r++)
        {
            clock.Restart(); a(); ta.Add(clock.Elapsed.TotalMilliseconds);
            clock.Restart(); b(); tb.Add(clock.Elapsed.TotalMilliseconds);
        }
        return (ta.Order().ElementAt(Rounds / 2), tb.Order().ElementAt(Rounds / 2));
    }
}
