using System.Security.Cryptography;
using TransferNotebooks.Data;
using TransferNotebooks.Hosting;

namespace TransferNotebooks.Tests.Data;

public class ConcurrencyTests
{
    [Fact]
    public async Task Concurrent_mnist_and_imdb_loads_share_one_cache_without_corrupting_it()
    {
        using var server = new LoopbackServer();
        var hashes = new Dictionary<string, string>();
        foreach (var (official, fixture) in new[]
        {
            (Mnist.TrainImagesFile, "train-4k-images-idx3-ubyte.gz"), (Mnist.TrainLabelsFile, "train-4k-labels-idx1-ubyte.gz"),
            (Mnist.TestImagesFile, "t10k-1k-images-idx3-ubyte.gz"), (Mnist.TestLabelsFile, "t10k-1k-labels-idx1-ubyte.gz"),
        })
        {
            var bytes = File.ReadAllBytes(Path.Combine(TestData.MnistFixture, fixture));
            server.Add("m/" + official, LoopbackServer.Mode.Serve, bytes);
            hashes[official] = Convert.ToHexStringLower(MD5.HashData(bytes));
        }
        server.Add("m/" + Imdb.ArchiveFile, LoopbackServer.Mode.Serve, File.ReadAllBytes(TestData.ImdbFixture));
        hashes[Imdb.ArchiveFile] = TestData.ImdbFixtureSha256;
        var options = new DownloadOptions { Mirrors = [server.BaseUrl + "m/"], Hashes = hashes, ShowProgress = false };
        using var cache = TestData.Temp();

        var mnist = Enumerable.Range(0, 3).Select(_ => Task.Run(() =>
        {
            using var d = Mnist.LoadData(cacheDir: cache.Path, options: options);
            return d.Train.Count;
        }));
        var imdb = Enumerable.Range(0, 3).Select(_ => Task.Run(() => Imdb.LoadData(numWords: 1000, cacheDir: cache.Path, options: options).Train.Count));
        var counts = await Task.WhenAll(mnist.Concat(imdb));
        Assert.Equal([4000, 4000, 4000, 300, 300, 300], counts);

        // Exactly the final files, no temporaries; all verify and the token cache is trusted afterwards.
        Assert.Equal(
            new[] { Path.Combine("imdb", Imdb.ArchiveFile), Path.Combine("imdb", Imdb.ArchiveFile + ".tokens.bin") }
                .Concat(Mnist.Md5.Keys.Select(k => Path.Combine("mnist", k))).Order(),
            cache.Files());
        foreach (var (name, hash) in hashes)
        {
            var folder = name == Imdb.ArchiveFile ? "imdb" : "mnist";
            Assert.True(Download.Verify(cache.Sub(folder, name), hash), name);
        }
        Assert.Contains("tokens cached", Imdb.LoadData(cacheDir: cache.Path, download: false, options: options).Source);
    }

    sealed class FakeNotebook : IDisplayHost, IDisplayHandle
    {
        public readonly List<string> Shown = [];
        public bool IsNotebook => true;
        public IDisplayHandle Show(MimeBundle content) { lock (Shown) Shown.Add("show " + content.PlainText); return this; }
        public void Update(MimeBundle content) { lock (Shown) Shown.Add("update " + content.PlainText); }
    }

    [Fact]
    public void Progress_goes_to_the_notebook_display_when_the_host_is_a_notebook()
    {
        var body = File.ReadAllBytes(Path.Combine(TestData.MnistFixture, "t10k-1k-images-idx3-ubyte.gz"));
        using var server = new LoopbackServer().Add("f.gz", LoopbackServer.Mode.Serve, body);
        using var dir = TestData.Temp();
        var previous = DisplayHost.Current;
        var fake = new FakeNotebook();
        try
        {
            DisplayHost.Current = fake;
            Download.Fetch("f.gz", [server.BaseUrl + "f.gz"], Convert.ToHexStringLower(MD5.HashData(body)), dir.Path);
        }
        finally
        {
            DisplayHost.Current = previous;
        }
        Assert.StartsWith("show f.gz", fake.Shown[0]);
        Assert.Contains("MB/s", fake.Shown[^1]);
        Assert.EndsWith("done", fake.Shown[^1]);
    }
}
