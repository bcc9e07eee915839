using System.Text.RegularExpressions;
using TransferNotebooks.Native;
using static TorchSharp.torch;

namespace TransferNotebooks.Data;

/// <summary>The MNIST training and test sets, and where they were read from.</summary>
/// <param name="Train">Training digits: images <c>[N, 28, 28]</c> (uint8 0-255, or float32 0-1 when scaled) and int64 labels.</param>
/// <param name="Test">Test digits, the same shapes.</param>
/// <param name="Source">One line naming the files used, for example <c>train: ~/.transfernotebooks/datasets/mnist/train-images-idx3-ubyte.gz (60000) ...</c>.</param>
public sealed record MnistData(Dataset Train, Dataset Test, string Source) : IDisposable
{
    /// <summary>Lets C# write <c>var (train, test) = Mnist.LoadData();</c> (F# destructures <see cref="Mnist.Load"/>'s tuple instead).</summary>
    public void Deconstruct(out Dataset train, out Dataset test)
    {
        train = Train;
        test = Test;
    }

    /// <summary>Frees both datasets.</summary>
    public void Dispose()
    {
        Train.Dispose();
        Test.Dispose();
    }
}

/// <summary>
/// The MNIST handwritten digits (LeCun, Cortes, Burges; CC BY-SA 3.0), as Keras's <c>mnist.load_data()</c>:
/// 60,000 training and 10,000 test images of 28x28 pixels with labels 0-9.
/// </summary>
/// <remarks>
/// <para>Without <c>dataDir</c> the four official IDX files are looked up in the cache (<see cref="DataCache"/>,
/// <c>~/.transfernotebooks/datasets/mnist</c> by default) and downloaded when missing, trying <see cref="DefaultMirrors"/> in
/// order; each file is checked against its official MD5 (<see cref="Md5"/>) before it enters the cache.</para>
/// <para>With <c>dataDir</c> the files are read from that folder only (offline): the official names, or else subsets named like
/// <c>train-4k-images-idx3-ubyte.gz</c> / <c>train-4k-labels-idx1-ubyte.gz</c> (images and labels paired by the same infix).
/// Plain (not gzipped) files are accepted too.</para>
/// </remarks>
public static class Mnist
{
    /// <summary>Official file name of the training images.</summary>
    public const string TrainImagesFile = "train-images-idx3-ubyte.gz";
    /// <summary>Official file name of the training labels.</summary>
    public const string TrainLabelsFile = "train-labels-idx1-ubyte.gz";
    /// <summary>Official file name of the test images.</summary>
    public const string TestImagesFile = "t10k-images-idx3-ubyte.gz";
    /// <summary>Official file name of the test labels.</summary>
    public const string TestLabelsFile = "t10k-labels-idx1-ubyte.gz";

    /// <summary>Base URLs tried in order: Google's CVDF mirror, PyTorch's S3 mirror, then Yann LeCun's original site.</summary>
    public static readonly IReadOnlyList<string> DefaultMirrors =
    [
        "https://storage.googleapis.com/cvdf-datasets/mnist/",
        "https://ossci-datasets.s3.amazonaws.com/mnist/",
        "http://yann.lecun.com/exdb/mnist/",
    ];

    /// <summary>The official MD5 of each file.</summary>
    public static readonly IReadOnlyDictionary<string, string> Md5 = new Dictionary<string, string>
    {
        [TrainImagesFile] = "f68b3c2dcbeaaa9fbdd348bbdeb94873",
        [TrainLabelsFile] = "d53e105ee54ea40749a09fcbcd1e9432",
        [TestImagesFile] = "9fb629c4189551a2d022fa330f9573f3",
        [TestLabelsFile] = "ec29112dd5afa0611ce80d1b7f02629c",
    };

    /// <summary>
    /// Loads MNIST as Keras's <c>mnist.load_data()</c>: <c>var (train, test) = Mnist.Load();</c> in C#,
    /// <c>let train, test = Mnist.Load()</c> in F#. Downloads once, then reads the cache; prints one line naming the files read.
    /// Use <see cref="LoadData"/> for the same data with its <see cref="MnistData.Source"/>.
    /// </summary>
    /// <param name="scale">False (Keras's default): uint8 pixels 0-255. True: float32 pixels divided by 255.</param>
    /// <param name="dataDir">Read the files from this folder only, never downloading (official names or <c>train-*-images-idx3-ubyte.gz</c> subsets).</param>
    /// <param name="cacheDir">The cache root instead of <c>TRANSFERNOTEBOOKS_DATA</c> / <c>~/.transfernotebooks/datasets</c>.</param>
    /// <param name="download">False: use only what the cache already holds (official files or subsets) and fail clearly otherwise.</param>
    /// <param name="verify">False: trust the files already in the cache without checking their MD5 (a download is always checked; files in <paramref name="dataDir"/> are never checked).</param>
    /// <param name="options">Mirrors, hashes, timeout and progress settings for the download.</param>
    /// <exception cref="FileNotFoundException">Offline and the files are not there; the message names the folders searched and the fix.</exception>
    /// <exception cref="DownloadException">A file could not be downloaded from any mirror.</exception>
    public static Tuple<Dataset, Dataset> Load(bool scale = false, string? dataDir = null, string? cacheDir = null, bool download = true, bool verify = true, DownloadOptions? options = null)
    {
        var data = LoadData(scale, dataDir, cacheDir, download, verify, options);
        return Tuple.Create(data.Train, data.Test);
    }

    /// <summary>
    /// Loads MNIST with a description of the files used: <c>using var data = Mnist.LoadData(); Console.WriteLine(data.Source);</c>
    /// </summary>
    /// <param name="scale">False (Keras's default): uint8 pixels 0-255. True: float32 pixels divided by 255.</param>
    /// <param name="dataDir">Read the files from this folder only, never downloading (official names or <c>train-*-images-idx3-ubyte.gz</c> subsets).</param>
    /// <param name="cacheDir">The cache root instead of <c>TRANSFERNOTEBOOKS_DATA</c> / <c>~/.transfernotebooks/datasets</c>.</param>
    /// <param name="download">False: use only what the cache already holds (official files or subsets) and fail clearly otherwise.</param>
    /// <param name="verify">False: trust the files already in the cache without checking their MD5 (a download is always checked; files in <paramref name="dataDir"/> are never checked).</param>
    /// <param name="options">Mirrors, hashes, timeout and progress settings for the download.</param>
    /// <exception cref="FileNotFoundException">Offline and the files are not there; the message names the folders searched and the fix.</exception>
    /// <exception cref="DownloadException">A file could not be downloaded from any mirror.</exception>
    public static MnistData LoadData(bool scale = false, string? dataDir = null, string? cacheDir = null, bool download = true, bool verify = true, DownloadOptions? options = null)
    {
        var files = Locate(dataDir, cacheDir, download, options, verify);
        NativeSetup.EnsureTorch();
        var parts = new Idx.IdxArray[4];
        try { Parallel.For(0, 4, i => parts[i] = Idx.Read(i switch { 0 => files.TrainImages, 1 => files.TrainLabels, 2 => files.TestImages, _ => files.TestLabels })); }
        catch (AggregateException e) { System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw(); }
        var train = Build(parts[0], parts[1], files.TrainImages, files.TrainLabels, scale);
        var test = Build(parts[2], parts[3], files.TestImages, files.TestLabels, scale);
        var source = $"MNIST train: {files.TrainImages} ({train.Count} digits), test: {files.TestImages} ({test.Count} digits)";
        DataCache.Log(DataCache.FileNamesOnly(source));
        return new MnistData(train, test, source);
    }

    /// <summary>The four files to read, with their full paths.</summary>
    internal sealed record Files(string TrainImages, string TrainLabels, string TestImages, string TestLabels);

    internal static Files Locate(string? dataDir, string? cacheDir, bool download, DownloadOptions? options, bool verify = true)
    {
        if (dataDir is not null)
        {
            var dir = Path.GetFullPath(dataDir);
            return FindIn(dir) ?? throw NotFound([dir], "Put the four MNIST files (official names, or train-*/t10k-* subsets) in that folder, or leave out dataDir: to download and cache them.");
        }
        var cache = DataCache.DatasetDirectory("mnist", cacheDir);
        if (!download)
        {
            return FindIn(cache) ?? throw NotFound([cache],
                $"Call Mnist.Load() with download: true to download them (cache chosen by {DataCache.RootExplanation(cacheDir)}), or pass dataDir: with a folder holding the files.");
        }
        string[] names = [TrainImagesFile, TrainLabelsFile, TestImagesFile, TestLabelsFile];
        var paths = new string[4];
        for (int i = 0; i < 4; i++)
        {
            var name = names[i];
            var hash = options?.Hashes?.GetValueOrDefault(name) ?? Md5[name];
            var mirrors = options?.Mirrors ?? DefaultMirrors;
            var existing = Path.Combine(cache, name);
            paths[i] = File.Exists(existing) && (!verify || Download.Verify(existing, hash))
                ? existing
                : Download.Fetch(name, mirrors.Select(m => m.EndsWith('/') ? m + name : m + "/" + name), hash, cache, options);
        }
        return new Files(paths[0], paths[1], paths[2], paths[3]);
    }

    static FileNotFoundException NotFound(IEnumerable<string> folders, string fix) =>
        new($"MNIST files not found. Looked in: {string.Join(", ", folders.Select(f => "'" + f + "'" + (Directory.Exists(f) ? "" : " (does not exist)")))} "
            + $"for {TrainImagesFile}, {TrainLabelsFile}, {TestImagesFile}, {TestLabelsFile} (or .gz-less copies, or subsets such as train-4k-images-idx3-ubyte.gz). {fix}");

    /// <summary>The files in a folder: official names first, else same-infix subsets (the largest one); null when a pair is missing.</summary>
    internal static Files? FindIn(string dir)
    {
        if (!Directory.Exists(dir)) return null;
        var train = FindPair(dir, "train");
        var test = FindPair(dir, "t10k");
        return train is null || test is null ? null : new Files(train.Value.Images, train.Value.Labels, test.Value.Images, test.Value.Labels);
    }

    static (string Images, string Labels)? FindPair(string dir, string prefix)
    {
        foreach (var ext in new[] { ".gz", "" })
        {
            var images = Path.Combine(dir, $"{prefix}-images-idx3-ubyte{ext}");
            var labels = Path.Combine(dir, $"{prefix}-labels-idx1-ubyte{ext}");
            if (File.Exists(images) && File.Exists(labels)) return (images, labels);
        }
        var pattern = new Regex($"^{Regex.Escape(prefix)}-(.+)-images-idx3-ubyte(\\.gz)?$");
        var candidates = Directory.EnumerateFiles(dir)
            .Select(f => (Path: f, Match: pattern.Match(Path.GetFileName(f))))
            .Where(c => c.Match.Success)
            .Select(c => (Images: c.Path, Labels: Path.Combine(dir, $"{prefix}-{c.Match.Groups[1].Value}-labels-idx1-ubyte{c.Match.Groups[2].Value}")))
            .Where(c => File.Exists(c.Labels))
            .OrderByDescending(c => new FileInfo(c.Images).Length)
            .ThenBy(c => c.Images, StringComparer.Ordinal)
            .ToList();
        return candidates.Count > 0 ? candidates[0] : null;
    }

    static Dataset Build(Idx.IdxArray images, Idx.IdxArray labels, string imagesPath, string labelsPath, bool scale)
    {
        if (images.Shape.Length != 3)
            throw new InvalidDataException($"'{imagesPath}' should hold images [N, rows, cols] but has shape [{string.Join(", ", images.Shape)}].");
        if (labels.Shape.Length != 1 || labels.Shape[0] != images.Shape[0])
            throw new InvalidDataException($"'{labelsPath}' has {string.Join("x", labels.Shape)} labels but '{imagesPath}' has {images.Shape[0]} images; they must pair up.");
        var x = tensor(images.Data, [images.Shape[0], images.Shape[1], images.Shape[2]], ScalarType.Byte);
        if (scale)
        {
            var f = x.to_type(ScalarType.Float32).div_(255f);
            x.Dispose();
            x = f;
        }
        var y = tensor(labels.Data, [labels.Shape[0]], ScalarType.Byte);
        var y64 = y.to_type(ScalarType.Int64);
        y.Dispose();
        return new Dataset(x, y64);
    }
}
