using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;

namespace TransferNotebooks.Data;

/// <summary>
/// The tokenised IMDB corpus: a vocabulary ranked by frequency on the training reviews and every review's words as ranks,
/// varint-coded in one buffer. Built by streaming the aclImdb tar.gz (no extraction), cached in a compact binary file.
/// </summary>
internal sealed class ImdbCorpus
{
    /// <summary>Raised when the tokenizer or the cache layout changes, so old caches are rebuilt.</summary>
    internal const int FormatVersion = 3;
    static readonly byte[] Magic = "TNIMDB\r\n"u8.ToArray();

    /// <summary>
    /// One review: id and rating from the file name, label (0 neg, 1 pos), its number of words, the largest rank among them and
    /// where its varint-coded ranks start in <see cref="Payload"/> (relative to <see cref="PayloadStart"/>).
    /// </summary>
    internal readonly record struct Review(int Id, byte Rating, byte Label, int Count, int MaxRank, int Offset);

    internal ImdbCorpus(string[] words, Review[] train, Review[] test, byte[] payload, int payloadStart, int payloadLength)
        : this(new Lazy<string[]>(words), words.Length, train, test, payload, payloadStart, payloadLength)
    {
    }

    /// <summary>With the vocabulary decoded on first use (a cached load needs only its size until words are looked up).</summary>
    internal ImdbCorpus(Lazy<string[]> words, int wordCount, Review[] train, Review[] test, byte[] payload, int payloadStart, int payloadLength)
    {
        LazyWords = words;
        WordCount = wordCount;
        Train = train;
        Test = test;
        Payload = payload;
        PayloadStart = payloadStart;
        PayloadLength = payloadLength;
    }

    /// <summary>Words by rank: <c>Words[0]</c> has rank 1.</summary>
    internal string[] Words => LazyWords.Value;
    internal Lazy<string[]> LazyWords { get; }
    internal int WordCount { get; }
    internal Review[] Train { get; }
    internal Review[] Test { get; }
    internal byte[] Payload { get; }
    internal int PayloadStart { get; }
    internal int PayloadLength { get; }

    /// <summary>
    /// Writes the indices of <paramref name="review"/> into <paramref name="target"/> (room for <see cref="Review.Count"/>) in one pass:
    /// each rank plus <paramref name="add"/>, replaced by <paramref name="replacement"/> unless it lies in [<paramref name="low"/>, <paramref name="high"/>).
    /// </summary>
    internal void Decode(Review review, Span<int> target, int add, int low, int high, int replacement)
    {
        var span = Payload.AsSpan(PayloadStart, PayloadLength);
        int pos = review.Offset;
        for (int k = 0; k < target.Length; k++)
        {
            int b = span[pos++];
            int v;
            if (b < 0x80)
            {
                v = b;
            }
            else
            {
                v = b & 0x7F;
                int shift = 7;
                while (true)
                {
                    b = span[pos++];
                    v |= (b & 0x7F) << shift;
                    if (b < 0x80) break;
                    shift += 7;
                    if (shift > 28) throw new InvalidDataException("bad varint in the IMDB token cache");
                }
            }
            v += add;
            target[k] = v >= low && v < high ? v : replacement;
        }
    }

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

    /// <summary>
    /// Reads the archive once: one thread decompresses and unpacks the tar, another tokenises, while every byte of the file is
    /// hashed. Returns the corpus and the archive's hash (algorithm chosen by <paramref name="hashExample"/>'s length; SHA-256 when null).
    /// </summary>
    internal static (ImdbCorpus Corpus, string Hash) Build(string archivePath, string? hashExample)
    {
        using var file = new FileStream(archivePath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        using var hashing = new HashingStream(file, hashExample is null ? HashAlgorithmName.SHA256 : Download.AlgorithmFor(hashExample));
        using var queue = new BlockingCollection<(bool IsTrain, Review Meta, byte[] Bytes, int Length)>(boundedCapacity: 256);

        var producer = Task.Run(() =>
        {
            try
            {
                using (var gzip = new GZipStream(hashing, CompressionMode.Decompress, leaveOpen: true))
                using (var tar = new TarReader(gzip))
                {
                    TarEntry? entry;
                    while ((entry = tar.GetNextEntry()) is not null)
                    {
                        if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile) || entry.DataStream is null) continue;
                        if (!TryParseName(entry.Name, out var isTrain, out var label, out var id, out var rating)) continue;
                        int length = checked((int)entry.Length);
                        var bytes = ArrayPool<byte>.Shared.Rent(Math.Max(length, 1));
                        entry.DataStream.ReadExactly(bytes, 0, length);
                        queue.Add((isTrain, new Review(id, rating, label, 0, 0, 0), bytes, length));
                    }
                }
                hashing.DrainToEnd();
            }
            finally
            {
                queue.CompleteAdding();
            }
        });

        var vocab = new Dictionary<string, int>(1 << 17);
        var lookup = vocab.GetAlternateLookup<ReadOnlySpan<char>>();
        var trainCounts = new List<int>(1 << 17);
        var totalCounts = new List<int>(1 << 17);
        var local = new List<int>(16 << 20);
        var train = new List<(Review Meta, int Start, int Count)>(25_000);
        var test = new List<(Review Meta, int Start, int Count)>(25_000);
        var chars = new char[1 << 16];
        var scratch = new char[256];
        bool counting = false;
        void OnToken(ReadOnlySpan<char> token)
        {
            if (!lookup.TryGetValue(token, out int id))
            {
                id = vocab.Count;
                lookup[token] = id;
                trainCounts.Add(0);
                totalCounts.Add(0);
            }
            if (counting) trainCounts[id]++;
            totalCounts[id]++;
            local.Add(id);
        }

        try
        {
            foreach (var (isTrain, meta, bytes, length) in queue.GetConsumingEnumerable())
            {
                int charCount = Encoding.UTF8.GetMaxCharCount(length);
                if (chars.Length < charCount) chars = new char[Math.Max(charCount, chars.Length * 2)];
                int n = Encoding.UTF8.GetChars(bytes, 0, length, chars, 0);
                ArrayPool<byte>.Shared.Return(bytes);
                int start = local.Count;
                counting = isTrain;
                Tokenize(chars.AsSpan(0, n), OnToken, scratch);
                (isTrain ? train : test).Add((meta, start, local.Count - start));
            }
            producer.GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or FormatException or IOException && e is not FileNotFoundException)
        {
            throw new InvalidDataException($"'{archivePath}' is not a readable aclImdb tar.gz ({e.Message}); delete it so it is downloaded again, or point dataDir: to a good copy.", e);
        }
        finally
        {
            // If tokenising failed, let the producer finish (it stops when the queue is completed or drained).
            if (!producer.IsCompleted)
            {
                foreach (var item in queue.GetConsumingEnumerable()) ArrayPool<byte>.Shared.Return(item.Bytes);
            }
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

        var payload = new ArrayBufferWriter<byte>(24 << 20);
        Review[] Encode(List<(Review Meta, int Start, int Count)> list)
        {
            var ids = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(local);
            var sorted = list.OrderBy(t => t.Meta.Label).ThenBy(t => t.Meta.Id).ToArray();
            var result = new Review[sorted.Length];
            for (int i = 0; i < sorted.Length; i++)
            {
                var (meta, start, count) = sorted[i];
                int offset = payload.WrittenCount;
                int max = 0;
                var span = payload.GetSpan(count * 5);
                int pos = 0;
                for (int k = 0; k < count; k++)
                {
                    int rank = rankOf[ids[start + k]];
                    if (rank > max) max = rank;
                    pos += WriteVarInt(span[pos..], rank);
                }
                payload.Advance(pos);
                result[i] = meta with { Count = count, MaxRank = max, Offset = offset };
            }
            return result;
        }
        var trainReviews = Encode(train);
        var testReviews = Encode(test);
        var bytesOut = payload.WrittenSpan.ToArray();
        return (new ImdbCorpus(ranked, trainReviews, testReviews, bytesOut, 0, bytesOut.Length), hashing.HexHash());
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

    /// <summary>
    /// Writes the cache atomically. Layout after the header (magic, version, stamp, body length, body checksum):
    /// [words section][reviews section: counts, then id, rating, label, count, max rank, offset per review][ranks section: varints],
    /// each section prefixed by its byte length.
    /// </summary>
    internal void Save(string path, Stamp stamp)
    {
        var body = new MemoryStream(PayloadLength + (4 << 20));
        using (var w = new BinaryWriter(body, Encoding.UTF8, leaveOpen: true))
        {
            WriteSection(w, b =>
            {
                b.Write(Words.Length);
                foreach (var word in Words) b.Write(word);
            });
            WriteSection(w, b =>
            {
                b.Write(Train.Length);
                b.Write(Test.Length);
                foreach (var r in Train.Concat(Test))
                {
                    b.Write(r.Id);
                    b.Write(r.Rating);
                    b.Write(r.Label);
                    b.Write(r.Count);
                    b.Write(r.MaxRank);
                    b.Write(r.Offset);
                }
            });
            w.Write(PayloadLength);
            w.Write(Payload, PayloadStart, PayloadLength);
        }
        var bytes = body.GetBuffer();
        int length = (int)body.Length;
        var checksum = Checksum(bytes.AsSpan(0, length));
        AtomicFile.Write(path, f =>
        {
            using var w = new BinaryWriter(f, Encoding.UTF8, leaveOpen: true);
            w.Write(Magic);
            w.Write(FormatVersion);
            w.Write(stamp.Hash);
            w.Write(stamp.Length);
            w.Write(stamp.ModifiedTicks);
            w.Write((long)length);
            w.Write(checksum);
            w.Write(bytes, 0, length);
        });
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
            long bodyLength = reader.ReadInt64();
            ulong checksum = reader.ReadUInt64();
            int start = (int)reader.BaseStream.Position;
            if (bodyLength != all.Length - start) return null;
            if (Checksum(all.AsSpan(start)) != checksum) return null;
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
        int wordCount = BinaryPrimitives.ReadInt32LittleEndian(all.AsSpan(bounds[0].Start));
        var words = new Lazy<string[]>(() =>
        {
            var reader = new BinaryReader(new MemoryStream(all, bounds[0].Start, bounds[0].Length, writable: false), Encoding.UTF8);
            var result = new string[reader.ReadInt32()];
            for (int i = 0; i < result.Length; i++) result[i] = reader.ReadString();
            return result;
        });
        var span = all.AsSpan(bounds[1].Start, bounds[1].Length);
        int trainCount = BinaryPrimitives.ReadInt32LittleEndian(span);
        int testCount = BinaryPrimitives.ReadInt32LittleEndian(span[4..]);
        const int Size = 4 + 1 + 1 + 4 + 4 + 4;
        if (trainCount < 0 || testCount < 0 || 8 + (long)(trainCount + testCount) * Size != span.Length) throw new InvalidDataException("bad review table");
        var reviews = new Review[trainCount + testCount];
        for (int i = 0; i < reviews.Length; i++)
        {
            var r = span.Slice(8 + i * Size, Size);
            var review = new Review(BinaryPrimitives.ReadInt32LittleEndian(r), r[4], r[5], BinaryPrimitives.ReadInt32LittleEndian(r[6..]),
                BinaryPrimitives.ReadInt32LittleEndian(r[10..]), BinaryPrimitives.ReadInt32LittleEndian(r[14..]));
            // Each review's varints lie inside the ranks section: at least one byte per rank, at most five.
            if (review.Count < 0 || review.Offset < 0 || review.Offset + (long)review.Count > bounds[2].Length || review.MaxRank < 0)
                throw new InvalidDataException("bad review entry");
            reviews[i] = review;
        }
        var train = reviews[..trainCount];
        var test = reviews[trainCount..];
        int maxRank = train.Concat(test).Select(r => r.MaxRank).DefaultIfEmpty(0).Max();
        if (wordCount < 0 || maxRank > wordCount) throw new InvalidDataException("rank out of range");
        return new ImdbCorpus(words, wordCount, train, test, all, bounds[2].Start, bounds[2].Length);
    }

    static int WriteVarInt(Span<byte> s, int value)
    {
        uint v = (uint)value;
        int n = 0;
        while (v >= 0x80)
        {
            s[n++] = (byte)(v | 0x80);
            v >>= 7;
        }
        s[n++] = (byte)v;
        return n;
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
