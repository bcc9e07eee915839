using TransferNotebooks.Optimizers;
using static TorchSharp.torch;

namespace TransferNotebooks.Tests.Optimizers;

/// <summary>
/// Runs an optimizer for a few steps on a small float64 tensor with fixed gradients, and compares each step with a reference
/// written in plain double arithmetic from Keras's update rules (keras/src/optimizers/*.py).
/// </summary>
internal static class KerasReference
{
    /// <summary>Starting weights.</summary>
    public static readonly double[] Start = [0.8, -0.5, 1.3, 0.1, -2.0];

    /// <summary>The gradient at each step: mixed signs and magnitudes, a zero, a sign flip.</summary>
    public static readonly double[][] Gradients =
    [
        [0.5, -1.2, 0.03, 2.0, -0.25],
        [-0.4, 0.9, 0.0, 1.5, -0.3],
        [0.1, -0.2, -0.7, -3.0, 0.6],
        [1.1, 0.6, 0.25, 0.5, -0.05],
        [-0.3, -0.8, 0.4, 0.05, 0.9],
        [0.7, 0.2, -0.1, -1.0, 0.35],
    ];

    /// <summary>The weights after each step of <paramref name="optimizer"/> (the gradient of <c>sum(w * g_t)</c> is <c>g_t</c>).</summary>
    public static double[][] Run(Optimizer optimizer)
    {
        using var w = tensor(Start, dtype: ScalarType.Float64).requires_grad_();
        var after = new List<double[]>();
        foreach (var g in Gradients)
        {
            using (var gt = tensor(g, dtype: ScalarType.Float64))
            using (var loss = (w * gt).sum())
                loss.backward();
            optimizer.Step([w]);
            w.grad!.zero_();
            after.Add(w.data<double>().ToArray());
        }
        return [.. after];
    }

    /// <summary>
    /// The reference weights after each step: <paramref name="step"/> updates the weights of one element given its gradient, the
    /// step number t (from 1) and that element's state (slots it owns).
    /// </summary>
    public static double[][] Expected(Func<double, double, int, double[], double> step, int slots, Func<int, double>? initial = null)
    {
        var w = (double[])Start.Clone();
        var state = Enumerable.Range(0, w.Length).Select(_ => Enumerable.Range(0, slots).Select(s => initial?.Invoke(s) ?? 0.0).ToArray()).ToArray();
        var after = new List<double[]>();
        for (int t = 1; t <= Gradients.Length; t++)
        {
            for (int i = 0; i < w.Length; i++) w[i] = step(w[i], Gradients[t - 1][i], t, state[i]);
            after.Add((double[])w.Clone());
        }
        return [.. after];
    }

    /// <summary>Asserts every step agrees to 1e-6 (absolute), naming the step and element.</summary>
    public static void AssertClose(double[][] expected, double[][] actual, double tolerance = 1e-6)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int t = 0; t < expected.Length; t++)
            for (int i = 0; i < expected[t].Length; i++)
                Assert.True(Math.Abs(expected[t][i] - actual[t][i]) <= tolerance,
                    $"step {t + 1}, element {i}: expected {expected[t][i]:R}, got {actual[t][i]:R}");
    }

    /// <summary>Checks that the trajectories are far apart somewhere (a setting under test does change the numbers).</summary>
    public static void AssertDiffer(double[][] a, double[][] b) =>
        Assert.True(a.Zip(b).Any(p => p.First.Zip(p.Second).Any(q => Math.Abs(q.First - q.Second) > 1e-4)), "the two trajectories should differ");
}
