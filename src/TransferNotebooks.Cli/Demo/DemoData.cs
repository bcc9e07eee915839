using TransferNotebooks.Data;
using static TorchSharp.torch;

namespace TransferNotebooks.Cli.Demo;

/// <summary>Finds MNIST for the demo: --data-dir, else the shipped real sample (4,000 training and 1,000 test digits).</summary>
public static class DemoData
{
    public static (Dataset Train, Dataset Test, string Source) Load(DemoOptions options)
    {
        if (options.DataDir is { } dir)
        {
            if (!Directory.Exists(dir)) throw new DirectoryNotFoundException($"--data-dir '{dir}' does not exist.");
            return (Read(dir, "train"), Read(dir, "t10k"), $"MNIST files in {dir}");
        }
        var sample = Path.Combine(AppContext.BaseDirectory, "sample-data", "mnist");
        Console.WriteLine("no --data-dir given and no download yet: using the small real MNIST sample shipped with the demo (4,000 training digits)");
        return (Read(sample, "train"), Read(sample, "t10k"), "shipped MNIST sample");
    }

    static Dataset Read(string dir, string prefix)
    {
        string Find(string kind)
        {
            var official = Path.Combine(dir, $"{prefix}-{kind}-idx{(kind == "images" ? 3 : 1)}-ubyte.gz");
            if (File.Exists(official)) return official;
            var any = Directory.GetFiles(dir, $"{prefix}-*-{kind}-idx{(kind == "images" ? 3 : 1)}-ubyte.gz").OrderByDescending(f => new FileInfo(f).Length).FirstOrDefault();
            return any ?? throw new FileNotFoundException($"No {prefix} {kind} IDX file in '{dir}'.");
        }
        var imagesPath = Find("images");
        var labelsPath = imagesPath.Replace("images-idx3", "labels-idx1", StringComparison.Ordinal);
        var images = Idx.Read(imagesPath);
        var labels = Idx.Read(File.Exists(labelsPath) ? labelsPath : Find("labels"));
        if (images.Shape[0] != labels.Shape[0])
            throw new InvalidDataException($"'{dir}': {images.Shape[0]} images but {labels.Shape[0]} labels; pair files of the same subset.");
        var x = tensor(images.Data, [images.Shape[0], 28, 28]).to_type(ScalarType.Float32).div_(255f);
        var y = tensor(labels.Data.Select(b => (long)b).ToArray());
        return new Dataset(x, y);
    }
}
