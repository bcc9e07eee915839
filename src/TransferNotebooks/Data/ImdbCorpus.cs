using System.Buffers.Binary;
using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;

namespace TransferNotebooks.Data;

/// <summary>
/// The tokenised IMDB corpus: a vocabulary ranked by frequency on the training reviews and every review as word ranks.
/// Built by streaming the aclImdb tar.gz (no extraction), and cached in a compact binary file.
/// </summary>
internal sealed class ImdbCorpus
{
    /// <summary>Raised when the tokenizer or the cache layout changes, so old caches are rebuilt.</summary>
    internal const int FormatVersion = 2;
    static readonly byte[] Magic = "TNIMDB\r\n"u8.ToArray();

    /// <summary>One review: its id and rating from the file name, its label (0 neg, 1 pos) and its words as ranks (1 = most frequent).</summary>
    internal readonly record struct Review(int Id, byte Rating, byte Label, int[] Ranks);

    internal ImdbCorpus(string[] words, Review[] train, Review[] test)
    {
        Words = words;
        Train = train;
        Test = test;
    }

    /// <summary>Words by rank: <c>Words[0]</c> has rank 1.</summary>
    internal string[] Words { get; }
    internal Review[] Train { get; }
    internal Review[] Test { get; }

    // ---------------------------------------------------------------- tokenizer

    /// <summary>
    /// Lowercases, removes <c>&lt;br /&gt;</c> tags and splits on everything that is not a letter or digit; an apostrophe
    /// between two letters or digits stays inside the word (<c>don't</c>).
    /// </summary>
    internal static void Tokenize(ReadOnlySpan<char> text, Action<ReadOnlySpan<char>> onToken, Span<char> scratch)
    {
        int len = 0;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c == '<' && IsBreakTag(text[i..], out int tagLength))
            {
                if (len > 0) { onToken(scratch[..len]); len = 0; }
                i += tagLength - 1;
                continue;
            }
            bool word = char.IsLetterOrDigit(c)
                || (c is '\'' or '\u2019' && len > 0 && i + 1 < text.Length && char.IsLetterOrDigit(text[i + 1]));
            if (word)
            {
                if (len < scratch.Length) scratch[len++] = c == '\u2019' ? '\'' : char.ToLowerInvariant(c);
            }
            else if (len > 0)
            {
                onToken(scratch[..len]);
                len = 0;
            }
        }
        if (len > 0) onToken(scratch[..len]);
    }

    /// <summary>The words of a text as the corpus tokenizer splits them.</summary>
    internal static List<string> Tokenize(string text)
    {
        var tokens = new List<string>();
        Tokenize(text, t => tokens.Add(t.ToString()), new char[256]);
        return tokens;
    }

    static bool IsBreakTag(ReadOnlySpan<char> s, out int length)
    {
        foreach (var tag in (ReadOnlySpan<string>)["<br />", "<br/>", "<br>"])
        {
            if (s.StartsWith(tag, StringComparison.OrdinalIgnoreCase)) { length = tag.Length; return true; }
        }
        length = 0;
        return false;
    }

    // ---------------------------------------------------------------- building from the archive

    /// <summary>Reads the archive once: tokenises every labelled review and returns the corpus and the archive's hash (same algorithm as <paramref name="hashExample"/>).</summary>
    internal static (ImdbCorpus Corpus, string Hash) Build(string archivePath, string? hashExample)
    {
        using var file = new FileStream(archivePath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        using var hashing = new HashingStream(file, hashExample is null ? HashAlgorithmName.SHA256 : Download.AlgorithmFor(hashExample));
        var vocab = new Dictionary<string, int>(1 << 17);
        var lookup = vocab.GetAlternateLookup<ReadOnlySpan<char>>();
        var trainCounts = new List<int>(1 << 17);
        var totalCounts = new List<int>(1 << 17);
        var train = new List<(Review R, int[] Local)>(25_000);
        var test = new List<(Review R, int[] Local)>(25_000);
        var bytes = new byte[1 << 16];
        var chars = new char[1 << 16];
        var scratch = new char[256];
        var ids = new List<int>(2048);
        bool isTrain = false;
        void OnToken(ReadOnlySpan<char> token)
        {
            if (!lookup.TryGetValue(token, out int id))
            {
                id = vocab.Count;
                lookup[token] = id;
                trainCounts.Add(0);
                totalCounts.Add(0);
            }
            if (isTrain) trainCounts[id]++;
            totalCounts[id]++;
            ids.Add(id);
        }

        try
        {
            using (var gzip = new GZipStream(hashing, CompressionMode.Decompress, leaveOpen: true))
            using (var tar = new TarReader(gzip))
            {
                TarEntry? entry;
                while ((entry = tar.GetNextEntry()) is not null)
                {
                    if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile) || entry.DataStream is null) continue;
                    if (!TryParseName(entry.Name, out isTrain, out var label, out var id, out var rating)) continue;
                    int length = checked((int)entry.Length);
                    if (bytes.Length < length) bytes = new byte[Math.Max(length, bytes.Length * 2)];
                    entry.DataStream.ReadExactly(bytes, 0, length);
                    int charCount = Encoding.UTF8.GetMaxCharCount(length);
                    if (chars.Length < charCount) chars = new char[Math.Max(charCount, chars.Length * 2)];
                    int n = Encoding.UTF8.GetChars(bytes, 0, length, chars, 0);
                    ids.Clear();
                    Tokenize(chars.AsSpan(0, n), OnToken, scratch);
                    (isTrain ? train : test).Add((new Review(id, rating, label, []), ids.ToArray()));
                }
            }
            hashing.DrainToEnd();
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or FormatException or IOException && e is not FileNotFoundException)
        {
            throw new InvalidDataException($"'{archivePath}' is not a readable aclImdb tar.gz ({e.Message}); delete it so it is downloaded again, or point path: to a good copy.", e);
        }
        if (train.Count == 0 && test.Count == 0)
            throw new InvalidDataException($"'{archivePath}' holds no reviews named aclImdb/{{train,test}}/{{pos,neg}}/<id>_<rating>.txt; is it the IMDB archive (aclImdb_v1.tar.gz)?");

        // Rank: by count on the training reviews, then overall count, then ordinal (deterministic).
        var words = new string[vocab.Count];
        foreach (var (w, i) in vocab) words[i] = w;
        var order = Enumerable.Range(0, words.Length).ToArray();
        Array.Sort(order, (a, b) =>
        {
            int c = trainCounts[b].CompareTo(trainCounts[a]);
            if (c != 0) return c;
            c = totalCounts[b].CompareTo(totalCounts[a]);
            return c != 0 ? c : string.CompareOrdinal(words[a], words[b]);
        });
        var rankOf = new int[words.Length];
        for (int r = 0; r < order.Length; r++) rankOf[order[r]] = r + 1;
        var ranked = order.Select(i => words[i]).ToArray();

        Review[] Finish(List<(Review R, int[] Local)> list) => list
            .OrderBy(t => t.R.Label).ThenBy(t => t.R.Id)
            .Select(t =>
            {
                var local = t.Local;
                for (int k = 0; k < local.Length; k++) local[k] = rankOf[local[k]];
                return t.R with { Ranks = local };
            })
            .ToArray();
        return (new ImdbCorpus(ranked, Finish(train), Finish(test)), hashing.HexHash());
    }

    /// <summary>Matches <c>aclImdb/train/pos/123_8.txt</c>.</summary>
    static bool TryParseName(string name, out bool isTrain, out byte label, out int id, out byte rating)
    {
        isTrain = false; label = 0; id = 0; rating = 0;
        var parts = name.Split('/');
        if (parts.Length < 3) return false;
        var split = parts[^3];
        var polarity = parts[^2];
        var file = parts[^1];
        if (split is not ("train" or "test") || polarity is not ("pos" or "neg") || !file.EndsWith(".txt", StringComparison.Ordinal)) return false;
        var stem = file[..^4];
        int us = stem.IndexOf('_');
        if (us <= 0 || !int.TryParse(stem.AsSpan(0, us), out id) || !byte.TryParse(stem.AsSpan(us + 1), out rating)) return false;
        isTrain = split == "train";
        label = polarity == "pos" ? (byte)1 : (byte)0;
        return true;
    }

    // ---------------------------------------------------------------- binary cache

    /// <summary>What a cache must match to be trusted: the archive's expected hash, size and modification time.</summary>
    internal readonly record struct Stamp(string Hash, long Length, long ModifiedTicks)
    {
        internal static Stamp Of(string archivePath, string hash)
        {
            var info = new FileInfo(archivePath);
            return new Stamp(hash.ToLowerInvariant(), info.Length, info.LastWriteTimeUtc.Ticks);
        }
    }

    /// <summary>Writes the cache atomically (temporary file, then rename).</summary>
    internal void Save(string path, Stamp stamp)
    {
        var body = new MemoryStream(24 << 20);
        using (var w = new BinaryWriter(body, Encoding.UTF8, leaveOpen: true))
        {
            // Layout: [words section length][words][train section length][train][test section length][test]
            WriteSection(w, b =>
            {
                b.Write(Words.Length);
                foreach (var word in Words) b.Write(word);
            });
            foreach (var split in new[] { Train, Test })
            {
                WriteSection(w, b =>
                {
                    b.Write(split.Length);
                    foreach (var r in split)
                    {
                        b.Write(r.Id);
                        b.Write(r.Rating);
                        b.Write(r.Label);
                        b.Write7BitEncodedInt(r.Ranks.Length);
                        foreach (var rank in r.Ranks) b.Write7BitEncodedInt(rank);
                    }
                });
            }
        }
        var payload = body.GetBuffer().AsSpan(0, (int)body.Length);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var tmp = path + "." + Guid.NewGuid().ToString("N") + ".part";
        try
        {
            using (var f = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
            using (var w = new BinaryWriter(f, Encoding.UTF8))
            {
                w.Write(Magic);
                w.Write(FormatVersion);
                w.Write(stamp.Hash);
                w.Write(stamp.Length);
                w.Write(stamp.ModifiedTicks);
                w.Write((long)payload.Length);
                w.Write(Checksum(payload));
                w.Write(payload);
            }
            File.Move(tmp, path, overwrite: true);
        }
        finally
        {
            try { if (File.Exists(tmp)) File.Delete(tmp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    static void WriteSection(BinaryWriter w, Action<BinaryWriter> write)
    {
        var section = new MemoryStream();
        using (var b = new BinaryWriter(section, Encoding.UTF8, leaveOpen: true)) write(b);
        w.Write((int)section.Length);
        w.Write(section.GetBuffer(), 0, (int)section.Length);
    }

    /// <summary>Reads a cache; null (never an exception) when it is missing, from another version or archive, truncated or corrupt.</summary>
    internal static ImdbCorpus? TryLoad(string path, Stamp stamp)
    {
        if (!File.Exists(path)) return null;
        try
        {
            var all = File.ReadAllBytes(path);
            var reader = new BinaryReader(new MemoryStream(all, writable: false), Encoding.UTF8);
            if (!reader.ReadBytes(Magic.Length).AsSpan().SequenceEqual(Magic)) return null;
            if (reader.ReadInt32() != FormatVersion) return null;
            if (reader.ReadString() != stamp.Hash || reader.ReadInt64() != stamp.Length || reader.ReadInt64() != stamp.ModifiedTicks) return null;
            long payloadLength = reader.ReadInt64();
            ulong checksum = reader.ReadUInt64();
            int start = (int)reader.BaseStream.Position;
            if (payloadLength != all.Length - start) return null;
            var payload = all.AsSpan(start);
            if (Checksum(payload) != checksum) return null;
            return Parse(all, start);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or FormatException or ArgumentException or OverflowException or IndexOutOfRangeException or DecoderFallbackException
            || e is AggregateException { InnerException: IOException or InvalidDataException or FormatException or ArgumentException or OverflowException or IndexOutOfRangeException or DecoderFallbackException })
        {
            return null;
        }
    }

    static ImdbCorpus Parse(byte[] all, int start)
    {
        // Three sections (words, train, test) parsed in parallel.
        var bounds = new (int Start, int Length)[3];
        int pos = start;
        for (int i = 0; i < 3; i++)
        {
            int length = BinaryPrimitives.ReadInt32LittleEndian(all.AsSpan(pos));
            if (length < 0 || pos + 4 + length > all.Length) throw new InvalidDataException("bad section");
            bounds[i] = (pos + 4, length);
            pos += 4 + length;
        }
        if (pos != all.Length) throw new InvalidDataException("trailing bytes");
        string[]? words = null;
        Review[]? train = null, test = null;
        Parallel.Invoke(
            () =>
            {
                var reader = new BinaryReader(new MemoryStream(all, bounds[0].Start, bounds[0].Length, writable: false), Encoding.UTF8);
                words = new string[reader.ReadInt32()];
                for (int i = 0; i < words.Length; i++) words[i] = reader.ReadString();
            },
            () => train = ParseReviews(all.AsSpan(bounds[1].Start, bounds[1].Length)),
            () => test = ParseReviews(all.AsSpan(bounds[2].Start, bounds[2].Length)));
        int maxRank = 0;
        foreach (var r in train!.Concat(test!))
            foreach (var v in r.Ranks)
                if (v > maxRank) maxRank = v;
        if (maxRank > words!.Length) throw new InvalidDataException("rank out of range");
        return new ImdbCorpus(words, train!, test!);
    }

    static Review[] ParseReviews(ReadOnlySpan<byte> span)
    {
        var reviews = new Review[BinaryPrimitives.ReadInt32LittleEndian(span)];
        int pos = 4;
        for (int i = 0; i < reviews.Length; i++)
        {
            int id = BinaryPrimitives.ReadInt32LittleEndian(span[pos..]);
            byte rating = span[pos + 4];
            byte label = span[pos + 5];
            pos += 6;
            int count = ReadVarInt(span, ref pos);
            var ranks = new int[count];
            for (int k = 0; k < count; k++)
            {
                int v = ReadVarInt(span, ref pos);
                if (v < 1) throw new InvalidDataException("rank out of range");
                ranks[k] = v;
            }
            reviews[i] = new Review(id, rating, label, ranks);
        }
        if (pos != span.Length) throw new InvalidDataException("section length mismatch");
        return reviews;
    }

    static int ReadVarInt(ReadOnlySpan<byte> s, ref int pos)
    {
        int result = 0, shift = 0;
        while (true)
        {
            byte b = s[pos++];
            result |= (b & 0x7F) << shift;
            if (b < 0x80) return result;
            shift += 7;
            if (shift > 28) throw new InvalidDataException("bad varint");
        }
    }

    /// <summary>A fast 64-bit checksum (multiply-rotate over 8-byte words) to detect corrupt or truncated caches.</summary>
    internal static ulong Checksum(ReadOnlySpan<byte> data)
    {
        const ulong Prime = 0x9E3779B97F4A7C15UL;
        ulong h = (ulong)data.Length * Prime;
        int i = 0;
        for (; i + 8 <= data.Length; i += 8)
        {
            h ^= BinaryPrimitives.ReadUInt64LittleEndian(data[i..]);
            h = ulong.RotateLeft(h * Prime, 31);
        }
        for (; i < data.Length; i++) h = ulong.RotateLeft((h ^ data[i]) * Prime, 17);
        return h ^ (h >> 29);
    }

    /// <summary>Passes reads through while hashing every byte, so the archive is verified in the same pass that parses it.</summary>
    sealed class HashingStream(Stream inner, HashAlgorithmName algorithm) : Stream
    {
        readonly IncrementalHash hash = IncrementalHash.CreateHash(algorithm);

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            int n = inner.Read(buffer);
            hash.AppendData(buffer[..n]);
            return n;
        }

        public void DrainToEnd()
        {
            var buffer = new byte[1 << 16];
            while (Read(buffer) > 0) { }
        }

        public string HexHash() => Convert.ToHexStringLower(hash.GetHashAndReset());

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => inner.Length;
        public override long Position { get => inner.Position; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing) hash.Dispose();
            base.Dispose(disposing);
        }
    }
}
