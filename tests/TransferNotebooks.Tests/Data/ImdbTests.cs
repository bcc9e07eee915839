using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using TransferNotebooks.Data;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace TransferNotebooks.Tests.Data;

public class ImdbTests(ITestOutputHelper output)
{
    static readonly DownloadOptions Quiet = new() { ShowProgress = false, StallTimeout = TimeSpan.FromSeconds(10) };

    /// <summary>Loads the in-repo fixture with a private cache folder.</summary>
    static ImdbData Fixture(TestData.TempDir cache, int? numWords = null, int skipTop = 0, int? maxLen = null, int seed = 113, int? startChar = 1, int? oovChar = 2, int indexFrom = 3) =>
        Imdb.LoadData(numWords, skipTop, maxLen, seed, startChar, oovChar, indexFrom, dataDir: TestData.ImdbFixture, sha256: TestData.ImdbFixtureSha256, cacheDir: cache.Path);

    /// <summary>The raw review texts of the fixture, keyed by (split, label, id).</summary>
    static Dictionary<(string Split, long Label, int Id), string> RawTexts()
    {
        var result = new Dictionary<(string, long, int), string>();
        using var tar = new TarReader(new GZipStream(File.OpenRead(TestData.ImdbFixture), CompressionMode.Decompress));
        while (tar.GetNextEntry() is { } e)
        {
            var parts = e.Name.Split('/');
            if (parts.Length != 4 || e.DataStream is null) continue;
            using var reader = new StreamReader(e.DataStream, Encoding.UTF8);
            result[(parts[1], parts[2] == "pos" ? 1 : 0, int.Parse(parts[3].Split('_')[0]))] = reader.ReadToEnd();
        }
        return result;
    }

    [Fact]
    public void Loads_the_fixture_with_keras_defaults()
    {
        using var cache = TestData.Temp();
        var data = Fixture(cache);
        var (train, test) = data;
        Assert.Equal(300, train.Count);
        Assert.Equal(300, test.Count);
        Assert.Equal(150, train.Labels.Count(l => l == 1));
        Assert.All(train.Sequences, s => Assert.Equal(1, s[0]));
        Assert.All(train.Sequences.SelectMany(s => s.Skip(1)), i => Assert.True(i >= 3));
        Assert.Equal("the", data.Word(4));
        Assert.Equal(1, data.WordIndex["the"]);
        Assert.Contains("sha256 verified", data.Source);
        // Ratings come from the file names: negative 1-4, positive 7-10.
        for (int i = 0; i < train.Count; i++)
            Assert.True(train.Labels[i] == 1 ? train.Ratings[i] >= 7 : train.Ratings[i] <= 4, $"review {train.Ids[i]} rating {train.Ratings[i]} label {train.Labels[i]}");
        Assert.Equal(train.Ratings[5], train[5].Rating);
    }

    [Fact]
    public void Decode_gives_back_the_tokenised_text()
    {
        using var cache = TestData.Temp();
        var data = Fixture(cache);
        var raw = RawTexts();
        foreach (var (split, name) in new[] { (data.Train, "train"), (data.Test, "test") })
        {
            for (int i = 0; i < split.Count; i += 37)
            {
                var text = raw[(name, split.Labels[i], split.Ids[i])];
                Assert.Equal(string.Join(' ', Imdb.Tokenize(text)), data.Decode(split.Sequences[i]));
                Assert.Equal(split.Sequences[i], data.Encode(text));
            }
        }
    }

    [Fact]
    public void Tokenize_lowercases_and_drops_breaks_and_punctuation()
    {
        Assert.Equal(["this", "film", "isn't", "great", "10", "10", "really"], Imdb.Tokenize("This film<br /><br />isn't GREAT... 10/10 'really'"));
    }

    [Fact]
    public void Word_ranks_follow_training_frequency()
    {
        using var cache = TestData.Temp();
        var data = Fixture(cache);
        var counts = new Dictionary<int, int>();
        foreach (var s in data.Train.Sequences)
            foreach (var i in s.Skip(1)) counts[i] = counts.GetValueOrDefault(i) + 1;
        var byIndex = counts.OrderBy(kv => kv.Key).Select(kv => kv.Value).Take(50).ToArray();
        Assert.True(byIndex.Zip(byIndex.Skip(1)).All(p => p.First >= p.Second), "counts must not increase with the index");
    }

    [Fact]
    public void NumWords_skipTop_and_oov_follow_keras()
    {
        using var cache = TestData.Temp();
        var full = Fixture(cache);
        var limited = Fixture(cache, numWords: 100, skipTop: 10);
        Assert.Equal(100, limited.NumWords);
        for (int r = 0; r < limited.Train.Count; r++)
        {
            var a = full.Train.Sequences[r];
            var b = limited.Train.Sequences[r];
            Assert.Equal(a.Length, b.Length);
            for (int k = 0; k < a.Length; k++)
                Assert.Equal(a[k] >= 10 && a[k] < 100 ? a[k] : 2, b[k]);
        }
        var dropped = Fixture(cache, numWords: 100, oovChar: null, startChar: null);
        Assert.All(dropped.Train.Sequences.SelectMany(s => s), i => Assert.InRange(i, 3, 99));
    }

    [Fact]
    public void MaxLen_drops_long_reviews_and_seed_changes_order()
    {
        using var cache = TestData.Temp();
        var all = Fixture(cache);
        var shortOnes = Fixture(cache, maxLen: 150);
        Assert.Equal(all.Train.Sequences.Count(s => s.Length < 150), shortOnes.Train.Count);
        Assert.All(shortOnes.Train.Sequences, s => Assert.True(s.Length < 150));
        var other = Fixture(cache, seed: 7);
        Assert.NotEqual(all.Train.Ids, other.Train.Ids);
        Assert.Equal(all.Train.Ids.Order(), other.Train.Ids.Order());
        Assert.Equal(all.Train.Ids, Fixture(cache).Train.Ids);
    }

    [Fact]
    public void Vectorize_and_PadSequences_give_datasets()
    {
        using var cache = TestData.Temp();
        var (train, _) = Fixture(cache, numWords: 1000);
        using var hot = train.Vectorize();
        Assert.Equal(new long[] { 300, 1000 }, hot.X.shape);
        Assert.Equal(ScalarType.Float32, hot.X.dtype);
        Assert.Equal(train.Labels, hot.Labels);
        Assert.Equal(train.Sequences[0].Distinct().Count(), (int)hot.X[0].sum().item<float>());
        using var padded = train.PadSequences(maxLen: 200);
        Assert.Equal(new long[] { 300, 200 }, padded.X.shape);
        Assert.Equal(ScalarType.Int64, padded.X.dtype);
        var last = train.Sequences[0][^1];
        Assert.Equal(last, padded.X[0][199].item<long>());
    }

    [Fact]
    public void The_token_cache_is_reused_and_a_corrupt_or_stale_one_is_rebuilt()
    {
        using var cache = TestData.Temp();
        var first = Fixture(cache);
        Assert.Contains("tokenised now", first.Source);
        var tokenFile = Assert.Single(Directory.GetFiles(cache.Sub("imdb"), "*.tokens.bin"));
        var second = Fixture(cache);
        Assert.Contains("tokens cached", second.Source);
        Assert.Equal(first.Train.Sequences, second.Train.Sequences);

        // Flip one byte in the middle: the checksum catches it and the cache is rebuilt.
        var bytes = File.ReadAllBytes(tokenFile);
        bytes[bytes.Length / 2] ^= 0x55;
        File.WriteAllBytes(tokenFile, bytes);
        var rebuilt = Fixture(cache);
        Assert.Contains("tokenised now", rebuilt.Source);
        Assert.Equal(first.Train.Sequences, rebuilt.Train.Sequences);

        // Truncated, and from an older format version: both rebuilt.
        File.WriteAllBytes(tokenFile, File.ReadAllBytes(tokenFile)[..100]);
        Assert.Contains("tokenised now", Fixture(cache).Source);
        var stale = File.ReadAllBytes(tokenFile);
        stale[8] = 0;
        File.WriteAllBytes(tokenFile, stale);
        Assert.Contains("tokenised now", Fixture(cache).Source);
        Assert.Contains("tokens cached", Fixture(cache).Source);
    }

    [Fact]
    public void Load_returns_the_two_splits_as_a_tuple_and_dataDir_takes_the_archive_or_its_folder()
    {
        using var cache = TestData.Temp();
        var (train, test) = Imdb.Load(numWords: 1000, dataDir: TestData.ImdbFixture, sha256: TestData.ImdbFixtureSha256, cacheDir: cache.Path);
        var data = Fixture(cache, numWords: 1000);
        Assert.Equal(data.Train.Ids, train.Ids);
        Assert.Equal(data.Test.Labels, test.Labels);
        Assert.Same(train.Data, test.Data);
        Assert.Equal(data.Decode(data.Train.Sequences[0]), train.Decode(train.Sequences[0]));
        Assert.Equal(data.WordIndex.Count, train.Data.WordIndex.Count);
        using var folder = TestData.Temp();
        File.Copy(TestData.ImdbFixture, folder.Sub("reviews.tar.gz"));
        var (fromFolder, _) = Imdb.Load(numWords: 1000, dataDir: folder.Path, sha256: TestData.ImdbFixtureSha256, cacheDir: cache.Path);
        Assert.Equal(train.Ids, fromFolder.Ids);
        File.Copy(TestData.ImdbFixture, folder.Sub("other.tar.gz"));
        Assert.Contains("several archives", Assert.Throws<FileNotFoundException>(() => Imdb.Load(dataDir: folder.Path, cacheDir: cache.Path)).Message);
        using var empty = TestData.Temp();
        Assert.Contains("No IMDB archive", Assert.Throws<FileNotFoundException>(() => Imdb.Load(dataDir: empty.Path, cacheDir: cache.Path)).Message);
        Assert.Contains("hash not checked", Imdb.LoadData(dataDir: TestData.ImdbFixture, sha256: new string('a', 64), verify: false, cacheDir: cache.Path).Source);
    }

    [Fact]
    public void A_wrong_hash_or_missing_archive_is_a_clear_error()
    {
        using var cache = TestData.Temp();
        var wrong = new string('a', 64);
        var e = Assert.Throws<InvalidDataException>(() => Imdb.LoadData(dataDir: TestData.ImdbFixture, sha256: wrong, cacheDir: cache.Path));
        Assert.Contains(TestData.ImdbFixtureSha256, e.Message);
        Assert.Contains(wrong, e.Message);
        Assert.Empty(Directory.Exists(cache.Sub("imdb")) ? Directory.GetFiles(cache.Sub("imdb")) : []);
        var unverified = Imdb.LoadData(dataDir: TestData.ImdbFixture, cacheDir: cache.Path);
        Assert.Contains("hash not checked", unverified.Source);
        var offline = Assert.Throws<FileNotFoundException>(() => Imdb.LoadData(cacheDir: cache.Sub("empty"), download: false));
        Assert.Contains(Path.Combine(cache.Sub("empty"), "imdb", Imdb.ArchiveFile), offline.Message);
        Assert.Contains("download: true", offline.Message);
    }

    [Fact]
    public void Downloads_the_archive_into_the_cache_and_caches_tokens_next_to_it()
    {
        var bytes = File.ReadAllBytes(TestData.ImdbFixture);
        using var server = new LoopbackServer().Add("imdb/" + Imdb.ArchiveFile, LoopbackServer.Mode.Serve, bytes);
        using var cache = TestData.Temp();
        var options = Quiet with { Mirrors = [server.BaseUrl + "imdb/"], Hashes = new Dictionary<string, string> { [Imdb.ArchiveFile] = TestData.ImdbFixtureSha256 } };
        var data = Imdb.LoadData(numWords: 500, cacheDir: cache.Path, options: options);
        Assert.Equal(300, data.Train.Count);
        Assert.Equal([Path.Combine("imdb", Imdb.ArchiveFile), Path.Combine("imdb", Imdb.ArchiveFile + ".tokens.bin")], cache.Files());
        var again = Imdb.LoadData(numWords: 500, cacheDir: cache.Path, download: false, options: options);
        Assert.Contains("tokens cached", again.Source);
        Assert.Single(server.Requests);
    }

    [Theory]
    [InlineData(10)]
    [InlineData(5000)]
    public void A_damaged_cached_archive_is_downloaded_again(int fromEnd)
    {
        var bytes = File.ReadAllBytes(TestData.ImdbFixture);
        using var server = new LoopbackServer().Add("imdb/" + Imdb.ArchiveFile, LoopbackServer.Mode.Serve, bytes);
        using var cache = TestData.Temp();
        Directory.CreateDirectory(cache.Sub("imdb"));
        var damaged = (byte[])bytes.Clone();
        damaged[^fromEnd] ^= 0xFF; // near the end: a wrong hash, or a gzip stream that no longer decodes
        File.WriteAllBytes(cache.Sub("imdb", Imdb.ArchiveFile), damaged);
        var options = Quiet with { Mirrors = [server.BaseUrl + "imdb/"], Hashes = new Dictionary<string, string> { [Imdb.ArchiveFile] = TestData.ImdbFixtureSha256 } };
        Exception? error = null;
        ImdbData? data = null;
        try { data = Imdb.LoadData(cacheDir: cache.Path, options: options); }
        catch (InvalidDataException e) { error = e; }
        Assert.Null(error);
        Assert.Equal(300, data!.Train.Count);
        Assert.Single(server.Requests);
        Assert.True(Download.Verify(cache.Sub("imdb", Imdb.ArchiveFile), TestData.ImdbFixtureSha256));
    }

    [Fact]
    public void Shared_full_corpus_has_25k_reviews_per_split()
    {
        var shared = TestData.Shared();
        var archive = shared is null ? null : Path.Combine(shared, "imdb", "aclImdb_v1-labelled.tar.gz");
        if (archive is null || !File.Exists(archive))
        {
            Console.WriteLine("Shared_full_corpus: no shared IMDB archive (TRANSFERNOTEBOOKS_SHARED_DATA, or shared/data beside the repository); nothing to check.");
            output.WriteLine("Shared_full_corpus: no shared IMDB archive (TRANSFERNOTEBOOKS_SHARED_DATA, or shared/data beside the repository); nothing to check.");
            return;
        }
        // A persistent cache (validated by the loader against the archive's hash, size and time) keeps later runs fast.
        var cacheDir = Path.Combine(Path.GetTempPath(), "transfernotebooks-tests", "shared-cache");
        var data = Imdb.LoadData(numWords: 10000, dataDir: archive, sha256: "fee570604c8efe71c18723dfda1487d00369d9b008fac9280ab06c08fcd19007", cacheDir: cacheDir);
        output.WriteLine(data.Source);
        Assert.Equal(25000, data.Train.Count);
        Assert.Equal(25000, data.Test.Count);
        Assert.Equal(12500, data.Train.Labels.Count(l => l == 1));
        Assert.Equal("the", data.Word(4));
    }
}
