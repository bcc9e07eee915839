using TransferNotebooks.Data;

namespace TransferNotebooks.Tests;

/// <summary>The in-repo MNIST fixture (real digits: 4,000 training, 1,000 test), read by the library's own loader.</summary>
public static class Fixtures
{
    public static string Dir(string name) => Path.Combine(AppContext.BaseDirectory, "fixtures", name);

    /// <summary>A fresh Dataset of the fixture's training digits ([N, 28, 28] float32 in [0, 1], int64 labels).</summary>
    public static Dataset MnistTrain()
    {
        var data = Load();
        data.Test.Dispose();
        return data.Train;
    }

    /// <summary>A fresh Dataset of the fixture's test digits.</summary>
    public static Dataset MnistTest()
    {
        var data = Load();
        data.Train.Dispose();
        return data.Test;
    }

    static MnistData Load() => Mnist.LoadData(scale: true, dataDir: Dir("mnist"), download: false);
}
