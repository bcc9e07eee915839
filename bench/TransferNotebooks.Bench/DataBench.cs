using System.Diagnostics;
using System.IO.Compression;
using TransferNotebooks.Data;
using TransferNotebooks.Native;

namespace TransferNotebooks.Bench;

/// <summary>Loader timings on the shared real data: MNIST cached load, IMDB first/cached load, multi-hot.</summary>
static class DataBench
{
    /// <summary>Wall-clock and process CPU time of a step; CPU time is less distorted when other processes share the cores.</summary>
    sealed class Timer
    {
        readonly Stopwatch wall = Stopwatch.StartNew();
        TimeSpan cpu = Process.GetCurrentProcess().TotalProcessorTime;
        public void Restart()
        {
            wall.Restart();
            cpu = Process.GetCurrentProcess().TotalProcessorTime;
        }
        public override string ToString() =>
            $"{wall.Elapsed.TotalMilliseconds:0} ms (cpu {(Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds:0} ms, load {(File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(" ")[0] : "?")})";
    }

    public static void Run()
    {
        var shared = SharedData.Find();
        if (shared is null)
        {
            Console.WriteLine("No shared data folder (set TRANSFERNOTEBOOKS_SHARED_DATA or run below a folder holding shared/data); nothing measured.");
            return;
        }
        NativeSetup.EnsureTorch();
        DataCache.Log = _ => { };
        var work = Directory.CreateTempSubdirectory("tn-bench-");
        try
        {
            Mnist(Path.Combine(shared, "mnist"), work.FullName);
            Imdb(Path.Combine(shared, "imdb", "aclImdb_v1-labelled.tar.gz"), work.FullName);
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    static void Mnist(string dir, string work)
    {
        if (!Directory.Exists(dir)) { Console.WriteLine($"MNIST: {dir} missing, skipped."); return; }
        using (TransferNotebooks.Data.Mnist.LoadData(dataDir: dir)) { } // warm-up (JIT, page cache)
        var clock = new Timer();
        using (var data = TransferNotebooks.Data.Mnist.LoadData(dataDir: dir))
            Console.WriteLine($"MNIST shared folder ({data.Train.Count} + {data.Test.Count} digits), cached load: {clock}");
        clock.Restart();
        using (var data = TransferNotebooks.Data.Mnist.LoadData(dataDir: dir, scale: true))
            Console.WriteLine($"MNIST shared folder, scaled float32: {clock}");

        // The official 60k training images are not in the shared folder: time a same-size file made of the real 10k digits
        // repeated six times, as the four official names in a cache folder, verified by their actual md5 (timing only).
        var cache = Path.Combine(work, "cache", "mnist");
        Directory.CreateDirectory(cache);
        var images = Idx.Read(Path.Combine(dir, "train-10k-images-idx3-ubyte.gz"));
        using (var f = File.Create(Path.Combine(cache, TransferNotebooks.Data.Mnist.TrainImagesFile)))
        using (var gz = new GZipStream(f, CompressionLevel.Optimal))
        {
            gz.Write([0, 0, 8, 3, 0, 0, 0xEA, 0x60, 0, 0, 0, 28, 0, 0, 0, 28]);
            for (int i = 0; i < 6; i++) gz.Write(images.Data);
        }
        File.Copy(Path.Combine(dir, "train-labels-idx1-ubyte.gz"), Path.Combine(cache, TransferNotebooks.Data.Mnist.TrainLabelsFile));
        File.Copy(Path.Combine(dir, "t10k-images-idx3-ubyte.gz"), Path.Combine(cache, TransferNotebooks.Data.Mnist.TestImagesFile));
        File.Copy(Path.Combine(dir, "t10k-labels-idx1-ubyte.gz"), Path.Combine(cache, TransferNotebooks.Data.Mnist.TestLabelsFile));
        var hashes = Directory.GetFiles(cache).ToDictionary(p => Path.GetFileName(p), p => Download.FileHash(p, "md5"));
        var options = new DownloadOptions { Hashes = hashes, Mirrors = ["http://127.0.0.1:9/"] };
        using (TransferNotebooks.Data.Mnist.LoadData(cacheDir: Path.Combine(work, "cache"), options: options)) { }
        clock.Restart();
        using (var data = TransferNotebooks.Data.Mnist.LoadData(cacheDir: Path.Combine(work, "cache"), options: options))
            Console.WriteLine($"MNIST cache, 60k + 10k digits (md5 of all four files checked): {clock}  ({data.Train.Count} + {data.Test.Count})");
    }

    static void Imdb(string archive, string work)
    {
        if (!File.Exists(archive)) { Console.WriteLine($"IMDB: {archive} missing, skipped."); return; }
        const string hash = "fee570604c8efe71c18723dfda1487d00369d9b008fac9280ab06c08fcd19007";
        var cacheDir = Path.Combine(work, "cache");
        var clock = new Timer();
        var first = TransferNotebooks.Data.Imdb.LoadData(numWords: 10000, dataDir: archive, sha256: hash, cacheDir: cacheDir);
        Console.WriteLine($"IMDB first load (stream tar.gz, sha256, tokenise {first.Train.Count + first.Test.Count} reviews, write cache): {clock}");
        for (int i = 0; i < 3; i++)
        {
            clock.Restart();
            var cached = TransferNotebooks.Data.Imdb.LoadData(numWords: 10000, dataDir: archive, sha256: hash, cacheDir: cacheDir);
            Console.WriteLine($"IMDB cached load #{i + 1}: {clock}");
        }
        var data = TransferNotebooks.Data.Imdb.LoadData(numWords: 10000, dataDir: archive, sha256: hash, cacheDir: cacheDir);
        // Multi-hot is a page-fault benchmark: float32 is 2 GB of fresh memory, uint8 0.5 GB. Each form is followed by its
        // floor, torch.zeros of the same two tensors. This VM has virtio-balloon free page reporting: freed memory goes back to
        // the host within seconds and costs host-side faults when touched again, so single figures swing; read the medians.
        foreach (var dtype in new[] { TorchSharp.torch.ScalarType.Float32, TorchSharp.torch.ScalarType.Byte })
        {
            var ours = Rounds(5, () => { using var train = data.Train.Vectorize(dtype: dtype); using var test = data.Test.Vectorize(dtype: dtype); });
            var floor = Rounds(5, () => { using var a = TorchSharp.torch.zeros([data.Train.Count, data.Train.Dimension], dtype); using var b = TorchSharp.torch.zeros([data.Test.Count, data.Train.Dimension], dtype); });
            Console.WriteLine($"IMDB multi-hot 2 x 25k x {data.Train.Dimension} ({dtype}): first {ours[0]:0} ms, then {string.Join(", ", ours.Skip(1).Select(t => t.ToString("0")))} ms (median of all {Median(ours):0} ms)");
            Console.WriteLine($"  floor, torch.zeros of the same two tensors: first {floor[0]:0} ms, then {string.Join(", ", floor.Skip(1).Select(t => t.ToString("0")))} ms (median of all {Median(floor):0} ms)");
        }
        var review = data.Train[0];
        Console.WriteLine($"IMDB training review 0 (id {review.Id}, rating {review.Rating}, label {review.Label}, {review.Sequence.Length} indices):");
        Console.WriteLine("  " + data.Decode(review.Sequence));
        Console.WriteLine($"  first indices: [{string.Join(", ", review.Sequence.Take(16))}, ...]");
    }

    /// <summary>Wall-clock milliseconds of <paramref name="count"/> calls of <paramref name="step"/>, in order.</summary>
    static List<double> Rounds(int count, Action step)
    {
        var times = new List<double>();
        for (int i = 0; i < count; i++)
        {
            var wall = Stopwatch.StartNew();
            step();
            times.Add(wall.Elapsed.TotalMilliseconds);
        }
        return times;
    }

    static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
