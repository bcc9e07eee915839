using TransferNotebooks.Data;
using static TorchSharp.torch;

namespace TransferNotebooks.Tests;

/// <summary>The in-repo MNIST fixture (real digits: 4,000 training, 1,000 test), loaded once per test run.</summary>
public static class Fixtures
{
    public static string Dir(string name) => Path.Combine(AppContext.BaseDirectory, "fixtures", name);

    static (float[] Images, long[] Labels, int Count) Read(string prefix)
    {
        var images = Idx.Read(Path.Combine(Dir("mnist"), prefix + "-images-idx3-ubyte.gz"));
        var labels = Idx.Read(Path.Combine(Dir("mnist"), prefix + "-labels-idx1-ubyte.gz"));
        return (images.Data.Select(b => b / 255f).ToArray(), labels.Data.Select(b => (long)b).ToArray(), images.Shape[0]);
    }

    static readonly Lazy<(float[], long[], int)> Train = new(() => Read("train-4k"));
    static readonly Lazy<(float[], long[], int)> Test = new(() => Read("t10k-1k"));

    /// <summary>A fresh Dataset of the fixture's training digits ([N, 28, 28] float32 in [0, 1], int64 labels).</summary>
    public static Dataset MnistTrain() => Make(Train.Value);
    /// <summary>A fresh Dataset of the fixture's test digits.</summary>
    public static Dataset MnistTest() => Make(Test.Value);

    static Dataset Make((float[] Images, long[] Labels, int Count) d) =>
        new(tensor(d.Images, [d.Count, 28, 28]), tensor(d.Labels));
}
