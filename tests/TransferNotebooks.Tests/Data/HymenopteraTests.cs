using System.IO.Compression;
using TransferNotebooks.Data;
using Xunit.Abstractions;

namespace TransferNotebooks.Tests.Data;

public class HymenopteraTests(ITestOutputHelper output)
{
    static readonly DownloadOptions Quiet = new() { ShowProgress = false, StallTimeout = TimeSpan.FromSeconds(10) };
    static string Fixture => Fixtures.Dir("hymenoptera");

    /// <summary>The fixture's own manifest (its file counts and content hash), for exercising the download path with fixture bytes.</summary>
    static Hymenoptera.Manifest FixtureManifest() => new(
        Hymenoptera.FileCounts.Keys.ToDictionary(k => k, k => Directory.GetFiles(Path.Combine(Fixture, k)).Length),
        Hymenoptera.ContentHash(Fixture));

    /// <summary>The fixture zipped as the official archive is laid out (hymenoptera_data/train/..., hymenoptera_data/val/...).</summary>
    static byte[] FixtureZip(Action<ZipArchive>? extra = null)
    {
        using var memory = new MemoryStream();
        using (var zip = new ZipArchive(memory, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var file in Directory.EnumerateFiles(Fixture, "*", SearchOption.AllDirectories).Where(f => !f.EndsWith("README.md")))
                zip.CreateEntryFromFile(file, Hymenoptera.FolderName + "/" + Path.GetRelativePath(Fixture, file).Replace('\\', '/'));
            extra?.Invoke(zip);
        }
        return memory.ToArray();
    }

    [Fact]
    public void Fixture_loads_both_splits_at_224_with_the_odd_files()
    {
        using var data = Hymenoptera.LoadData(dataDir: Fixture);
        Assert.Equal(["ants", "bees"], data.ClassNames);
        Assert.Equal(new long[] { 17, 224, 224, 3 }, data.Train.Data.X.shape);
        Assert.Equal(new long[] { 12, 224, 224, 3 }, data.Val.Data.X.shape);
        Assert.Equal(9, data.Train.Data.Labels.Count(l => l == 0));
        foreach (var odd in new[] { "ant photos.jpg", "formica.jpeg", "imageNotFound.gif" })
        {
            int i = data.Train.Files.ToList().FindIndex(f => Path.GetFileName(f) == odd);
            Assert.True(i >= 0, $"{odd} missing from the loaded files");
            Assert.Equal(0, data.Train.Data.Labels[i]);
            using var image = data.Train.Data.X[i];
            Assert.True(image.std().item<float>() > 10, $"{odd} loaded as a flat image");
        }
        Assert.InRange(data.Train.Data.X.max().item<float>(), 200f, 255f);
        Assert.Equal(0f, data.Train.Data.X.min().item<float>(), 0.5f);
        var (train, val) = data;
        Assert.Same(data.Train.Data, train);
        Assert.Same(data.Val.Data, val);
    }

    [Fact]
    public void Loading_twice_gives_identical_tensors_and_options_change_the_fit()
    {
        using var a = Hymenoptera.LoadData(height: 64, width: 48, dataDir: Fixture);
        using var b = Hymenoptera.LoadData(height: 64, width: 48, dataDir: Fixture);
        Assert.True(a.Train.Data.X.equal(b.Train.Data.X).all().item<bool>(), "the same files must decode to the same pixels");
        Assert.Equal(a.Val.Data.Labels, b.Val.Data.Labels);
        using var stretched = Hymenoptera.LoadData(height: 64, width: 48, resizeTo: null, scale: true, dataDir: Fixture);
        Assert.Equal(new long[] { 12, 64, 48, 3 }, stretched.Val.Data.X.shape);
        Assert.True(stretched.Val.Data.X.max().item<float>() <= 1f);
        using var rescaled = stretched.Val.Data.X * 255;
        Assert.False(rescaled.allclose(a.Val.Data.X, 0, 1), "stretching and resize-then-crop must give different pixels");
    }

    [Fact]
    public void Content_hash_follows_its_definition()
    {
        // Computed independently with Python (hashlib) over the fixture by the definition in ContentHash's documentation, the
        // same script that computed the official ContentSha256 from the unchanged shared/data/hymenoptera.
        Assert.Equal("fbaa6aeaf002d320a0b6bf226cb26a5aa626e58ee3f57a96edec4853bf2514a4", Hymenoptera.ContentHash(Fixture));
    }

    [Fact]
    public void Shared_official_set_matches_the_published_counts_and_content_hash()
    {
        var shared = TestData.Shared();
        if (shared is null)
        {
            output.WriteLine("Shared_official_set: no shared data folder (TRANSFERNOTEBOOKS_SHARED_DATA, or shared/data beside the repository); nothing to check.");
            return;
        }
        var dir = Path.Combine(shared, "hymenoptera");
        Assert.Null(Hymenoptera.Check(dir, new(Hymenoptera.FileCounts, Hymenoptera.ContentSha256)));
        using var data = Hymenoptera.LoadData(height: 32, width: 32, resizeTo: 36, dataDir: dir);
        Assert.Equal((245L, 153L), (data.Train.Data.Count, data.Val.Data.Count));
    }

    [Fact]
    public void Downloads_extracts_checks_and_caches_the_folder_then_reads_it_offline()
    {
        using var server = new LoopbackServer().Add("h/" + Hymenoptera.ArchiveFile, LoopbackServer.Mode.Serve, FixtureZip());
        using var cache = TestData.Temp();
        var options = Quiet with { Mirrors = [server.BaseUrl + "h/"] };
        var manifest = FixtureManifest();
        var folder = Hymenoptera.Locate(null, cache.Path, download: true, verify: true, options, manifest);
        Assert.Equal(cache.Sub("hymenoptera", Hymenoptera.FolderName), folder);
        Assert.Equal(29, cache.Files().Length); // the photos only: no archive, no staging folder left
        Assert.All(cache.Files(), f => Assert.StartsWith(Path.Combine("hymenoptera", Hymenoptera.FolderName), f));
        Assert.Equal(folder, Hymenoptera.Locate(null, cache.Path, download: false, verify: true, options, manifest));
        Assert.Single(server.Requests);
        using var data = Hymenoptera.LoadFrom(folder, 32, 32, null, false, false);
        Assert.Equal(17, data.Train.Data.Count);
    }

    [Fact]
    public void A_download_that_is_not_the_official_set_is_refused_and_nothing_is_cached()
    {
        using var server = new LoopbackServer().Add("h/" + Hymenoptera.ArchiveFile, LoopbackServer.Mode.Serve, FixtureZip());
        using var cache = TestData.Temp();
        var e = Assert.Throws<InvalidDataException>(() => Hymenoptera.LoadData(cacheDir: cache.Path, options: Quiet with { Mirrors = [server.BaseUrl + "h/"] }));
        Assert.Contains("train/ants has 9 files, expected 124", e.Message);
        Assert.Contains("Nothing was kept", e.Message);
        Assert.Empty(cache.Files());
    }

    [Fact]
    public void A_cached_folder_with_other_content_fails_offline_naming_the_difference_and_the_fix()
    {
        using var cache = TestData.Temp();
        var folder = cache.Sub("hymenoptera", Hymenoptera.FolderName);
        foreach (var file in Directory.EnumerateFiles(Fixture, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(folder, Path.GetRelativePath(Fixture, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
        var counts = Assert.Throws<InvalidDataException>(() => Hymenoptera.LoadData(cacheDir: cache.Path, download: false));
        Assert.Contains("val/bees has 6 files, expected 83", counts.Message);
        Assert.Contains("verify: false", counts.Message);
        using (var trusted = Hymenoptera.LoadData(height: 16, width: 16, resizeTo: null, cacheDir: cache.Path, download: false, verify: false))
            Assert.Equal(12, trusted.Val.Data.Count);

        var manifest = FixtureManifest();
        Assert.Null(Hymenoptera.Check(folder, manifest));
        var photo = Path.Combine(folder, "val", "bees", "abeja.jpg");
        var bytes = File.ReadAllBytes(photo);
        bytes[^3] ^= 0x01;
        File.WriteAllBytes(photo, bytes);
        Assert.Contains("content SHA-256", Hymenoptera.Check(folder, manifest));
        var offline = Assert.Throws<FileNotFoundException>(() => Hymenoptera.LoadData(cacheDir: cache.Sub("empty"), download: false));
        Assert.Contains("download: true", offline.Message);
        Assert.Throws<FileNotFoundException>(() => Hymenoptera.LoadData(dataDir: cache.Sub("nowhere")));
    }

    [Fact]
    public void Zip_entries_that_would_leave_the_folder_are_refused()
    {
        using var dir = TestData.Temp();
        var zip = dir.Sub("evil.zip");
        File.WriteAllBytes(zip, FixtureZip(z =>
        {
            using var w = new StreamWriter(z.CreateEntry("hymenoptera_data/../../evil.txt").Open());
            w.Write("escaped");
        }));
        var e = Assert.Throws<InvalidDataException>(() => Hymenoptera.ExtractSafely(zip, dir.Sub("out")));
        Assert.Contains("../../evil.txt", e.Message);
        Assert.False(File.Exists(dir.Sub("evil.txt")));
        Assert.False(File.Exists(Path.Combine(Path.GetDirectoryName(dir.Path)!, "evil.txt")));
    }
}
