using TransferNotebooks.Data;
using TransferNotebooks.Models;
using TransferNotebooks.Optimizers;
using static TransferNotebooks.Keras;
using static TorchSharp.torch;

namespace TransferNotebooks.Tests.Training.Callbacks;

/// <summary>Small, seeded models and data subsets so that callback tests train for real yet stay fast.</summary>
static class Small
{
    public static Sequential Mlp(Optimizer? optimizer = null, int hidden = 32, int seed = 42)
    {
        manual_seed(seed);
        var m = new Sequential(Flatten(inputShape: [28, 28]), Dense(hidden, activation: "relu"), Dense(10, activation: "softmax"));
        m.Compile(optimizer: optimizer ?? "adam", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
        return m;
    }

    /// <summary>Training digits (a seeded subset of the fixture).</summary>
    public static Dataset Train(int count = 400) { using var all = Fixtures.MnistTrain(); return all.Take(count, seed: 5); }

    /// <summary>Held-out digits (a seeded subset of the fixture's test set).</summary>
    public static Dataset Val(int count = 300) { using var all = Fixtures.MnistTest(); return all.Take(count, seed: 6); }

    public static bool SameWeights(IReadOnlyDictionary<string, Tensor> a, IReadOnlyDictionary<string, Tensor> b) =>
        a.Count == b.Count && a.All(kv => b.TryGetValue(kv.Key, out var other) && Equal(kv.Value, other));

    static bool Equal(Tensor x, Tensor y)
    {
        if (!x.shape.SequenceEqual(y.shape) || x.dtype != y.dtype) return false;
        using var same = x.eq(y).all();
        return same.item<bool>();
    }

    public static void Dispose(IEnumerable<IReadOnlyDictionary<string, Tensor>> snapshots)
    {
        foreach (var s in snapshots) foreach (var t in s.Values) t.Dispose();
    }

    public static string TempDir()
    {
        var dir = Path.Combine(Path.GetTempPath(), "tn-callbacks-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        return dir;
    }
}
