using System.Security.Cryptography;
using TransferNotebooks.Data;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace TransferNotebooks.Tests.Data;

public class MnistTests(ITestOutputHelper output)
{
    static readonly DownloadOptions Quiet = new() { ShowProgress = false, StallTimeout = TimeSpan.FromSeconds(10) };

    [Fact]
    public void Loads_the_fixture_subsets_from_a_folder_as_keras_shapes()
    {
        using var data = Mnist.LoadData(dataDir: TestData.MnistFixture);
        var (train, test) = data;
        Assert.Equal(new long[] { 4000, 28, 28 }, train.X.shape);
        Assert.Equal(ScalarType.Byte, train.X.dtype);
        Assert.Equal(ScalarType.Int64, train.Y.dtype);
        Assert.Equal(new long[] { 1000, 28, 28 }, test.X.shape);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (long)i), train.Classes);
        Assert.Contains("train-4k-images-idx3-ubyte.gz", data.Source);
        Assert.Contains("t10k-1k-images-idx3-ubyte.gz", data.Source);
        Assert.Equal(255, train.X.max().item<byte>());
    }

    [Fact]
    public void Load_returns_a_keras_style_pair()
    {
        var (train, test) = Mnist.Load(scale: true, dataDir: TestData.MnistFixture);
        using (train)
        using (test)
        {
            Assert.Equal(4000, train.Count);
            Assert.Equal(1000, test.Count);
            Assert.Equal(ScalarType.Float32, train.X.dtype);
        }
    }

    [Fact]
    public void Scale_gives_float32_between_0_and_1()
    {
        using var data = Mnist.LoadData(scale: true, dataDir: TestData.MnistFixture);
        Assert.Equal(ScalarType.Float32, data.Train.X.dtype);
        Assert.Equal(1f, data.Train.X.max().item<float>(), 5);
        Assert.Equal(0f, data.Train.X.min().item<float>());
    }

    [Fact]
    public void Filter_take_and_split_work_on_the_loaded_digits()
    {
        using var data = Mnist.LoadData(dataDir: TestData.MnistFixture);
        using var high = data.Train.WhereLabel([5, 6, 7, 8, 9], remap: true);
        Assert.Equal([0L, 1, 2, 3, 4], high.Classes);
        using var few = data.Train.Take(100, seed: 3);
        using var same = data.Train.Take(100, seed: 3);
        Assert.Equal(few.Labels, same.Labels);
        var (tr, va) = data.Train.Split(0.25);
        Assert.Equal((3000, 1000), (tr.Count, va.Count));
        tr.Dispose();
        va.Dispose();
    }

    [Fact]
    public void Official_names_are_preferred_and_subsets_pair_by_infix()
    {
        using var dir = TestData.Temp();
        // Only a 4k train pair and a stray images file with no labels: the pair must be used.
        File.Copy(Path.Combine(TestData.MnistFixture, "train-4k-images-idx3-ubyte.gz"), dir.Sub("train-4k-images-idx3-ubyte.gz"));
        File.Copy(Path.Combine(TestData.MnistFixture, "train-4k-labels-idx1-ubyte.gz"), dir.Sub("train-4k-labels-idx1-ubyte.gz"));
        File.Copy(Path.Combine(TestData.MnistFixture, "t10k-1k-images-idx3-ubyte.gz"), dir.Sub("train-99k-images-idx3-ubyte.gz"));
        File.Copy(Path.Combine(TestData.MnistFixture, "t10k-1k-images-idx3-ubyte.gz"), dir.Sub(Mnist.TestImagesFile));
        File.Copy(Path.Combine(TestData.MnistFixture, "t10k-1k-labels-idx1-ubyte.gz"), dir.Sub(Mnist.TestLabelsFile));
        File.Copy(Path.Combine(TestData.MnistFixture, "t10k-1k-labels-idx1-ubyte.gz"), dir.Sub("t10k-5-labels-idx1-ubyte.gz"));
        using var data = Mnist.LoadData(dataDir: dir.Path);
        Assert.Equal(4000, data.Train.Count);
        Assert.Contains(Mnist.TestImagesFile, data.Source);
        Assert.Contains("train-4k-images", data.Source);
    }

    [Fact]
    public void An_empty_folder_gives_an_error_naming_the_folder_and_the_fix()
    {
        using var dir = TestData.Temp();
        var e = Assert.Throws<FileNotFoundException>(() => Mnist.LoadData(dataDir: dir.Path));
        Assert.Contains(dir.Path, e.Message);
        Assert.Contains(Mnist.TrainImagesFile, e.Message);
        Assert.Contains("dataDir", e.Message);
        var offline = Assert.Throws<FileNotFoundException>(() => Mnist.LoadData(cacheDir: dir.Path, download: false));
        Assert.Contains(Path.Combine(dir.Path, "mnist"), offline.Message);
        Assert.Contains("download: true", offline.Message);
    }

    [Fact]
    public void Downloads_into_the_cache_then_loads_from_it_without_the_network()
    {
        // Serve the fixture files under the official names; hashes injected.
        using var server = new LoopbackServer();
        var names = new Dictionary<string, string>
        {
            [Mnist.TrainImagesFile] = "train-4k-images-idx3-ubyte.gz",
            [Mnist.TrainLabelsFile] = "train-4k-labels-idx1-ubyte.gz",
            [Mnist.TestImagesFile] = "t10k-1k-images-idx3-ubyte.gz",
            [Mnist.TestLabelsFile] = "t10k-1k-labels-idx1-ubyte.gz",
        };
        var hashes = new Dictionary<string, string>();
        foreach (var (official, fixture) in names)
        {
            var bytes = File.ReadAllBytes(Path.Combine(TestData.MnistFixture, fixture));
            server.Add("good/" + official, LoopbackServer.Mode.Serve, bytes);
            hashes[official] = Convert.ToHexStringLower(MD5.HashData(bytes));
        }
        using var cache = TestData.Temp();
        var options = Quiet with { Mirrors = [server.BaseUrl + "dead/", server.BaseUrl + "good/"], Hashes = hashes };
        using (var data = Mnist.LoadData(cacheDir: cache.Path, options: options))
        {
            Assert.Equal(4000, data.Train.Count);
            Assert.Contains(Path.Combine(cache.Path, "mnist", Mnist.TrainImagesFile), data.Source);
        }
        Assert.Equal(names.Keys.Order().Select(n => Path.Combine("mnist", n)), cache.Files());
        int requests = server.Requests.Count;
        using (var again = Mnist.LoadData(cacheDir: cache.Path, options: options))
            Assert.Equal(1000, again.Test.Count);
        Assert.Equal(requests, server.Requests.Count);
        using (var offline = Mnist.LoadData(cacheDir: cache.Path, download: false))
            Assert.Equal(4000, offline.Train.Count);
    }

    [Fact]
    public void Verify_false_trusts_the_cached_files_without_their_hash_and_Load_destructures()
    {
        using var server = new LoopbackServer();
        using var cache = TestData.Temp();
        Directory.CreateDirectory(cache.Sub("mnist"));
        (string Official, string Subset)[] files = [(Mnist.TrainImagesFile, "train-4k-images-idx3-ubyte.gz"), (Mnist.TrainLabelsFile, "train-4k-labels-idx1-ubyte.gz"),
            (Mnist.TestImagesFile, "t10k-1k-images-idx3-ubyte.gz"), (Mnist.TestLabelsFile, "t10k-1k-labels-idx1-ubyte.gz")];
        foreach (var (official, subset) in files) File.Copy(Path.Combine(TestData.MnistFixture, subset), cache.Sub("mnist", official));
        var options = Quiet with { Mirrors = [server.BaseUrl + "m/"] };
        var (train, test) = Mnist.Load(cacheDir: cache.Path, verify: false, options: options);
        using (train) using (test) Assert.Equal((4000, 1000), (train.Count, test.Count));
        Assert.Empty(server.Requests);
        // Verified, the same files are not the official ones: they are downloaded again (and the server has none).
        Assert.Throws<DownloadException>(() => Mnist.Load(cacheDir: cache.Path, options: options));
    }

    [Fact]
    public void The_official_hashes_reject_other_files_and_say_which_file()
    {
        using var server = new LoopbackServer();
        foreach (var name in Mnist.Md5.Keys)
            server.Add("m/" + name, LoopbackServer.Mode.Serve, File.ReadAllBytes(Path.Combine(TestData.MnistFixture, "t10k-1k-labels-idx1-ubyte.gz")));
        using var cache = TestData.Temp();
        var e = Assert.Throws<DownloadException>(() => Mnist.LoadData(cacheDir: cache.Path, options: Quiet with { Mirrors = [server.BaseUrl + "m/"] }));
        Assert.Contains(Mnist.TrainImagesFile, e.Message);
        Assert.Contains(Mnist.Md5[Mnist.TrainImagesFile], e.Message);
        Assert.Contains(server.BaseUrl + "m/" + Mnist.TrainImagesFile, e.Message);
        Assert.Empty(cache.Files());
    }

    [Fact]
    public void Cache_root_follows_argument_then_environment_then_home()
    {
        Assert.Equal(Path.GetFullPath("/tmp/x"), DataCache.Root("/tmp/x"));
        Assert.EndsWith(Path.Combine(".transfernotebooks", "datasets"), DataCache.DefaultRoot);
        Assert.Equal(Path.Combine(DataCache.Root("/tmp/x"), "mnist"), DataCache.DatasetDirectory("mnist", "/tmp/x"));
        var old = Environment.GetEnvironmentVariable(DataCache.EnvironmentVariable);
        try
        {
            Environment.SetEnvironmentVariable(DataCache.EnvironmentVariable, "/tmp/from-env");
            Assert.Equal("/tmp/from-env", DataCache.Root());
            Assert.Equal(Path.GetFullPath("/tmp/y"), DataCache.Root("/tmp/y"));
        }
        finally
        {
            Environment.SetEnvironmentVariable(DataCache.EnvironmentVariable, old);
        }
    }

    [Fact]
    public void Shared_official_test_set_loads_with_the_official_hashes()
    {
        var shared = TestData.Shared();
        if (shared is null)
        {
            Console.WriteLine("Shared_official_test_set: no shared data folder (TRANSFERNOTEBOOKS_SHARED_DATA, or shared/data beside the repository); nothing to check.");
            output.WriteLine("Shared_official_test_set: no shared data folder (TRANSFERNOTEBOOKS_SHARED_DATA, or shared/data beside the repository); nothing to check.");
            return;
        }
        var dir = Path.Combine(shared, "mnist");
        Assert.True(Download.Verify(Path.Combine(dir, Mnist.TestImagesFile), Mnist.Md5[Mnist.TestImagesFile]));
        Assert.True(Download.Verify(Path.Combine(dir, Mnist.TestLabelsFile), Mnist.Md5[Mnist.TestLabelsFile]));
        using var data = Mnist.LoadData(dataDir: dir);
        Assert.Equal(10000, data.Test.Count);
        Assert.Equal(10000, data.Train.Count);
        Assert.Contains("train-10k-images", data.Source);
    }
}

public class MnistCorruptFileTests
{
    [Fact]
    public void A_corrupt_file_in_a_folder_is_named_in_the_error()
    {
        using var dir = TestData.Temp();
        foreach (var f in Directory.GetFiles(TestData.MnistFixture, "*.gz")) File.Copy(f, Path.Combine(dir.Path, Path.GetFileName(f)));
        var bytes = File.ReadAllBytes(dir.Sub("t10k-1k-images-idx3-ubyte.gz"));
        File.WriteAllBytes(dir.Sub("t10k-1k-images-idx3-ubyte.gz"), bytes[..(bytes.Length / 2)]);
        var e = Assert.ThrowsAny<InvalidDataException>(() => Mnist.LoadData(dataDir: dir.Path));
        Assert.Contains("t10k-1k-images-idx3-ubyte.gz", e.Message);
    }
}

public class DatasetFeaturesTests
{
    [Fact]
    public void Features_gives_the_pixels_as_an_array_of_the_matching_type()
    {
        using var data = Mnist.LoadData(dataDir: TestData.MnistFixture);
        var pixels = data.Test.Features<byte>();
        Assert.Equal(1000 * 28 * 28, pixels.Length);
        var raw = Idx.Read(Path.Combine(TestData.MnistFixture, "t10k-1k-images-idx3-ubyte.gz"));
        Assert.Equal(raw.Data, pixels);
        var e = Assert.Throws<InvalidOperationException>(() => data.Test.Features<float>());
        Assert.Contains("Byte", e.Message);
    }
}
