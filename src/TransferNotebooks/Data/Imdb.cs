namespace TransferNotebooks.Data;

/// <summary>
/// The Large Movie Review Dataset (Maas et al., ACL 2011): 25,000 training and 25,000 test movie reviews labelled
/// positive or negative, with Keras's <c>imdb.load_data</c> semantics, built from the official <c>aclImdb_v1.tar.gz</c>.
/// </summary>
/// <remarks>
/// <para>The archive is downloaded once into the cache (<see cref="DataCache"/>, <c>imdb</c> subfolder; SHA-256 checked,
/// atomic), then read as a stream (no extraction). Reviews are tokenised (lowercase, <c>&lt;br /&gt;</c> and punctuation
/// removed, apostrophes inside words kept) and words are ranked by their frequency on the training reviews
/// (ties: overall frequency, then alphabetical). The tokenised corpus is cached in a compact binary file next to the archive
/// (or in the cache folder when the archive's folder is read-only); a cache from another archive, version or a corrupt one
/// is rebuilt, never trusted.</para>
/// <para>Differences from Keras: Keras ships a pre-tokenised corpus whose word ranks and review order differ from these;
/// the shuffle uses .NET's seeded <see cref="Random"/>; when <c>numWords</c> is null every word is kept (Keras's default
/// turns the single rarest index into <c>oovChar</c>).</para>
/// </remarks>
public static class Imdb
{
    /// <summary>The official archive's file name.</summary>
    public const string ArchiveFile = "aclImdb_v1.tar.gz";

    /// <summary>The official download address.</summary>
    public const string Url = "https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz";

    /// <summary>The published SHA-256 of the official archive (84,125,825 bytes), as used by TensorFlow Datasets and other loaders.</summary>
    public const string Sha256 = "c40f74a18d3b61f90feba1e17730e0d38e8b97c05fde7008942e91923d1658fe";

    /// <summary>
    /// Loads the reviews as word-index sequences, as Keras's <c>imdb.load_data</c>: <c>var (train, test) = Imdb.Load(numWords: 10000);</c>
    /// in C#, <c>let train, test = Imdb.Load(numWords = 10000)</c> in F#. Each split reaches the word index and <c>Decode</c> through
    /// <see cref="ImdbSplit.Data"/>; <see cref="LoadData"/> returns the same as one <see cref="ImdbData"/>.
    /// </summary>
    /// <param name="numWords">Keep the most frequent words; rarer ones become <paramref name="oovChar"/> (null: keep all).</param>
    /// <param name="skipTop">Also replace the indices below this (the most frequent words) by <paramref name="oovChar"/>.</param>
    /// <param name="maxLen">Drop reviews whose sequence (start index included) is not shorter than this, as Keras does.</param>
    /// <param name="seed">Shuffle seed (Keras's default 113).</param>
    /// <param name="startChar">The index starting every sequence (default 1; null for none).</param>
    /// <param name="oovChar">The index of out-of-vocabulary words (default 2; null drops them).</param>
    /// <param name="indexFrom">Added to every word rank (default 3, leaving 0 for padding, 1 start, 2 out-of-vocabulary).</param>
    /// <param name="dataDir">Read this archive (same layout as aclImdb_v1.tar.gz), or the archive in this folder (<c>aclImdb_v1.tar.gz</c>, or its only <c>*.tar.gz</c>), never downloading.</param>
    /// <param name="sha256">The expected hash of the archive in <paramref name="dataDir"/> (SHA-256, or MD5/SHA-1 by length); null accepts it unverified.</param>
    /// <param name="cacheDir">The cache root instead of <c>TRANSFERNOTEBOOKS_DATA</c> / <c>~/.transfernotebooks/datasets</c>.</param>
    /// <param name="download">False: never download; fail clearly when the archive is not in the cache.</param>
    /// <param name="verify">False: accept the archive already there (cache, or <paramref name="dataDir"/> with <paramref name="sha256"/>) without checking its hash (a download is always checked).</param>
    /// <param name="options">URLs (<see cref="DownloadOptions.Mirrors"/>: base URLs), hash, timeout and progress settings for the download.</param>
    /// <exception cref="FileNotFoundException">The archive is not there and may not be downloaded.</exception>
    /// <exception cref="DownloadException">The archive could not be downloaded.</exception>
    /// <exception cref="InvalidDataException">The archive's hash is wrong, or it is not an aclImdb archive.</exception>
    public static Tuple<ImdbSplit, ImdbSplit> Load(int? numWords = null, int skipTop = 0, int? maxLen = null, int seed = 113, int? startChar = 1, int? oovChar = 2, int indexFrom = 3,
        string? dataDir = null, string? sha256 = null, string? cacheDir = null, bool download = true, bool verify = true, DownloadOptions? options = null)
    {
        var data = LoadData(numWords, skipTop, maxLen, seed, startChar, oovChar, indexFrom, dataDir, sha256, cacheDir, download, verify, options);
        return Tuple.Create(data.Train, data.Test);
    }

    /// <summary>
    /// Loads the reviews with the word index, <c>Decode</c>/<c>Encode</c> and a description of the files used:
    /// <c>var imdb = Imdb.LoadData(numWords: 10000); imdb.Decode(imdb.Train.Sequences[0])</c>. Same parameters as <see cref="Load"/>.
    /// </summary>
    /// <inheritdoc cref="Load" path="/param"/>
    /// <inheritdoc cref="Load" path="/exception"/>
    public static ImdbData LoadData(int? numWords = null, int skipTop = 0, int? maxLen = null, int seed = 113, int? startChar = 1, int? oovChar = 2, int indexFrom = 3,
        string? dataDir = null, string? sha256 = null, string? cacheDir = null, bool download = true, bool verify = true, DownloadOptions? options = null)
    {
        if (numWords is <= 0) throw new ArgumentOutOfRangeException(nameof(numWords), numWords, "numWords must be positive (or null to keep every word).");
        if (maxLen is <= 0) throw new ArgumentOutOfRangeException(nameof(maxLen), maxLen, "maxLen must be positive (or null).");
        if (indexFrom < 0) throw new ArgumentOutOfRangeException(nameof(indexFrom), indexFrom, "indexFrom must not be negative.");
        var (corpus, source) = LoadCorpus(ArchiveIn(dataDir, cacheDir), verify ? sha256 : null, cacheDir, download, options, verify: verify);
        var data = Shape(corpus, numWords, skipTop, maxLen, seed, startChar, oovChar, indexFrom, source);
        DataCache.Log(DataCache.FileNamesOnly($"IMDB: {data.Train.Count} train, {data.Test.Count} test reviews. {source}"));
        return data;
    }

    /// <summary>The archive <paramref name="dataDir"/> names: itself when a file, else the official or only <c>*.tar.gz</c> in that folder.</summary>
    static string? ArchiveIn(string? dataDir, string? cacheDir)
    {
        if (dataDir is null || File.Exists(dataDir) || !Directory.Exists(dataDir)) return dataDir;
        var dir = Path.GetFullPath(dataDir);
        var official = Path.Combine(dir, ArchiveFile);
        if (File.Exists(official)) return official;
        var archives = Directory.GetFiles(dir, "*.tar.gz").Order(StringComparer.Ordinal).ToArray();
        if (archives.Length == 1) return archives[0];
        throw new FileNotFoundException(archives.Length == 0
            ? $"No IMDB archive in '{dir}': looked for {ArchiveFile} or another aclImdb *.tar.gz. Put the archive there, pass dataDir: with the archive itself, or leave dataDir out to download the official one into '{DataCache.DatasetDirectory("imdb", cacheDir)}'."
            : $"'{dir}' holds several archives ({string.Join(", ", archives.Select(Path.GetFileName))}) and no {ArchiveFile}: pass dataDir: with the one to read.", official);
    }

    /// <summary>The words of a text as the loader tokenises reviews (lowercase, no <c>&lt;br /&gt;</c>, no punctuation).</summary>
    public static IReadOnlyList<string> Tokenize(string text) => ImdbCorpus.Tokenize(text);

    internal static (ImdbCorpus Corpus, string Source) LoadCorpus(string? path, string? sha256, string? cacheDir, bool download, DownloadOptions? options, bool redownloaded = false, bool verify = true)
    {
        string archive;
        string? expected;
        var cache = DataCache.DatasetDirectory("imdb", cacheDir);
        if (path is not null)
        {
            archive = Path.GetFullPath(path);
            expected = sha256?.Trim().ToLowerInvariant();
            if (!File.Exists(archive))
                throw new FileNotFoundException($"The IMDB archive '{archive}' does not exist. Pass dataDir: with an aclImdb tar.gz (or a folder holding one), or leave dataDir out to download the official one into '{cache}'.", archive);
        }
        else
        {
            expected = (options?.Hashes?.GetValueOrDefault(ArchiveFile) ?? sha256 ?? Sha256).ToLowerInvariant();
            archive = Path.Combine(cache, ArchiveFile);
            if (!File.Exists(archive))
            {
                if (!download)
                    throw new FileNotFoundException($"The IMDB archive is not in the cache: looked for '{archive}' (cache chosen by {DataCache.RootExplanation(cacheDir)}). "
                        + $"Call Imdb.Load() with download: true, or download {Url} yourself and pass dataDir: with it.", archive);
                var urls = options?.Mirrors is { } mirrors ? mirrors.Select(m => m.EndsWith('/') ? m + ArchiveFile : m + "/" + ArchiveFile) : [Url];
                archive = Download.Fetch(ArchiveFile, urls, expected, cache, options);
            }
            else if (!verify) expected = null;
        }

        var stamp = ImdbCorpus.Stamp.Of(archive, expected ?? "unverified");
        var tag = expected is null ? "unverified" : expected[..16];
        // Next to the archive when it is the cache's own download; a user's archive (dataDir:) gets its token cache in the cache folder.
        bool own = path is null || string.Equals(Path.GetDirectoryName(archive), cache, StringComparison.Ordinal);
        string tokens = own ? archive + ".tokens.bin" : Path.Combine(cache, $"{Path.GetFileName(archive)}.{tag}.tokens.bin");
        var candidates = new[] { tokens };
        foreach (var candidate in candidates)
        {
            if (ImdbCorpus.TryLoad(candidate, stamp) is { } cached)
                return (cached, $"Archive {archive} ({Verified(expected)}), tokens cached in {candidate}.");
        }

        bool mayReplace = path is null && download && !redownloaded;
        ImdbCorpus corpus;
        string actual;
        try { (corpus, actual) = ImdbCorpus.Build(archive, expected); }
        catch (InvalidDataException e) when (mayReplace)
        {
            DataCache.Log($"IMDB: '{archive}' is unreadable ({e.Message}); downloading it again.");
            File.Delete(archive);
            return LoadCorpus(path, sha256, cacheDir, download, options, redownloaded: true, verify: verify);
        }
        if (expected is not null && actual != expected && mayReplace)
        {
            // The cache's own copy is damaged (it was verified when downloaded): replace it once.
            DataCache.Log($"IMDB: '{archive}' has {DownloadException.HashName(expected)} {actual}, expected {expected}; downloading it again.");
            File.Delete(archive);
            return LoadCorpus(path, sha256, cacheDir, download, options, redownloaded: true, verify: verify);
        }
        if (expected is not null && actual != expected)
            throw new InvalidDataException($"'{archive}' has {DownloadException.HashName(expected)} {actual}, expected {expected}. "
                + (path is null ? "Delete it so it is downloaded again." : "Pass the right sha256: for this archive, or leave sha256 out (or verify: false) to accept it unverified."));
        string? written = null;
        foreach (var candidate in candidates)
        {
            try
            {
                corpus.Save(candidate, stamp);
                written = candidate;
                break;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
        return (corpus, $"Archive {archive} ({Verified(expected)}), tokenised now" + (written is null ? " (the token cache could not be written)." : $", tokens cached in {written}."));
    }

    static string Verified(string? expected) => expected is null ? "hash not checked" : $"{DownloadException.HashName(expected)} verified";

    static ImdbData Shape(ImdbCorpus corpus, int? numWords, int skipTop, int? maxLen, int seed, int? startChar, int? oovChar, int indexFrom, string source)
    {
        var rng = new Random(seed);
        var train = Order(corpus.Train, rng);
        var test = Order(corpus.Test, rng);
        int extra = startChar is null ? 0 : 1;
        if (maxLen is int ml)
        {
            train = train.Where(r => r.Count + extra < ml).ToArray();
            test = test.Where(r => r.Count + extra < ml).ToArray();
        }
        int maxIndex = 0;
        foreach (var r in train.Concat(test))
            if (r.MaxRank > maxIndex) maxIndex = r.MaxRank;
        maxIndex += indexFrom;
        if (startChar is int sc && (train.Length + test.Length) > 0) maxIndex = Math.Max(maxIndex, sc);
        int limit = numWords ?? maxIndex + 1;
        if (oovChar is int oovIndex) limit = Math.Max(limit, oovIndex + 1);
        int[] Encode(ImdbCorpus.Review r)
        {
            // Pinned-heap arrays are never copied by gen0/gen1 collections: 50k long-lived arrays would otherwise be promoted (copied) twice.
            var seq = GC.AllocateUninitializedArray<int>(r.Count + extra, pinned: true);
            if (startChar is int s) seq[0] = s >= skipTop && s < limit ? s : oovChar ?? -1;
            corpus.Decode(r, seq.AsSpan(extra), indexFrom, skipTop, limit, oovChar ?? -1);
            if (oovChar is not null) return seq;
            // Keras drops out-of-vocabulary words when oovChar is null.
            int n = 0;
            for (int i = 0; i < seq.Length; i++)
                if (seq[i] >= 0) seq[n++] = seq[i];
            return n == seq.Length ? seq : seq[..n];
        }
        ImdbSplit Split(ImdbCorpus.Review[] reviews)
        {
            var seqs = new int[reviews.Length][];
            Parallel.For(0, reviews.Length, new ParallelOptions(), i => seqs[i] = Encode(reviews[i]));
            return new(seqs,
                reviews.Select(r => (long)r.Label).ToArray(),
                reviews.Select(r => (int)r.Rating).ToArray(),
                reviews.Select(r => r.Id).ToArray(),
                limit);
        }
        return new ImdbData(Split(train), Split(test), corpus.LazyWords, corpus.WordCount, limit, skipTop, startChar, oovChar, indexFrom, source);
    }

    static ImdbCorpus.Review[] Order(ImdbCorpus.Review[] reviews, Random rng)
    {
        var copy = (ImdbCorpus.Review[])reviews.Clone();
        rng.Shuffle(copy);
        return copy;
    }
}
