using TransferNotebooks.Data;
using static TorchSharp.torch;

namespace TransferNotebooks.Bench.Training;

/// <summary>The real data the cases train on: MNIST (10k training digits, official test set) and IMDB multi-hot.</summary>
static class BenchData
{
    public static string SharedDir()
    {
        var env = Environment.GetEnvironmentVariable("TRANSFERNOTEBOOKS_SHARED_DATA");
        if (!string.IsNullOrWhiteSpace(env) && Directory.Exists(env)) return Path.GetFullPath(env);
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var d = new DirectoryInfo(start); d is not null; d = d.Parent)
            {
                var candidate = Path.Combine(d.FullName, "shared", "data");
                if (Directory.Exists(candidate)) return candidate;
            }
        throw new DirectoryNotFoundException("No shared/data folder found; set TRANSFERNOTEBOOKS_SHARED_DATA.");
    }

    /// <summary>Images [N, 28, 28] float32 in [0, 1] and labels [N] int64.</summary>
    public static (Tensor X, Tensor Y) Mnist(bool train)
    {
        var dir = Path.Combine(SharedDir(), "mnist");
        var (img, lbl) = train ? ("train-10k-images-idx3-ubyte.gz", "train-10k-labels-idx1-ubyte.gz") : ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz");
        var images = Idx.Read(Path.Combine(dir, img));
        var labels = Idx.Read(Path.Combine(dir, lbl));
        using var raw = tensor(images.Data, [images.Shape[0], images.Shape[1], images.Shape[2]]);
        var x = raw.to_type(ScalarType.Float32).div_(255.0);
        using var rawY = tensor(labels.Data, [labels.Shape[0]]);
        var y = rawY.to_type(ScalarType.Int64);
        return (x, y);
    }

    public const string ImdbSha256 = "fee570604c8efe71c18723dfda1487d00369d9b008fac9280ab06c08fcd19007";

    /// <summary>The first <paramref name="count"/> IMDB training reviews as 10,000-word multi-hot rows [N, 10000] and 0/1 labels [N] float32.</summary>
    public static (Tensor X, Tensor Y) ImdbMultiHot(int count)
    {
        var archive = Path.Combine(SharedDir(), "imdb", "aclImdb_v1-labelled.tar.gz");
        var cache = Path.Combine(Path.GetTempPath(), "tn-bench-training-cache");
        DataCache.Log = _ => { };
        var data = Imdb.LoadData(numWords: 10000, dataDir: archive, sha256: ImdbSha256, cacheDir: cache);
        var x = Sequences.Vectorize(data.Train.Sequences.Take(count).ToList(), 10000);
        var y = tensor(data.Train.Labels.Take(count).Select(l => (float)l).ToArray());
        return (x, y);
    }

    /// <summary>Writes the IMDB subset for the PyTorch peer: uint8 multi-hot rows then uint8 labels (raw, row-major).</summary>
    public static void ExportImdb(string path, int count)
    {
        var (x, y) = ImdbMultiHot(count);
        using (x) using (y)
        {
            using var xb = x.to_type(ScalarType.Byte);
            using var yb = y.to_type(ScalarType.Byte);
            using var f = File.Create(path);
            f.Write(xb.bytes);
            f.Write(yb.bytes);
        }
    }
}
