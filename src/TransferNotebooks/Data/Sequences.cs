using System.Runtime.InteropServices;
using TransferNotebooks.Native;
using static TorchSharp.torch;

namespace TransferNotebooks.Data;

/// <summary>Which end of a sequence padding or truncation applies to (Keras's <c>"pre"</c> / <c>"post"</c>).</summary>
public enum PadSide
{
    /// <summary>At the start (Keras's default).</summary>
    Pre,
    /// <summary>At the end.</summary>
    Post,
}

/// <summary>Turns integer sequences (word indices) into tensors: multi-hot rows for dense models, padded rows for Embedding models.</summary>
public static class Sequences
{
    /// <summary>
    /// Multi-hot encoding: row <c>i</c> has 1 at every index that occurs in sequence <c>i</c>, 0 elsewhere
    /// (<c>results[i, sequence] = 1</c> in the Keras book). Returns float32 <c>[N, dimension]</c>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">An index is negative or not below <paramref name="dimension"/>.</exception>
    public static Tensor Vectorize(IEnumerable<int[]> sequences, int dimension)
    {
        if (dimension <= 0) throw new ArgumentOutOfRangeException(nameof(dimension), dimension, "The dimension (number of words) must be positive.");
        NativeSetup.EnsureTorch();
        var rows = sequences as IReadOnlyList<int[]> ?? sequences.ToList();
        for (int i = 0; i < rows.Count; i++)
            foreach (var w in rows[i])
                if ((uint)w >= (uint)dimension)
                    throw new ArgumentOutOfRangeException(nameof(sequences), w, $"Sequence {i} holds index {w}, outside 0..{dimension - 1}; load with numWords: {dimension} or vectorize with a larger dimension.");
        var result = empty([rows.Count, dimension], ScalarType.Float32);
        // Gigabytes of fresh memory: huge pages cut the page faults 512-fold (docs/benchmarks.md, data case).
        HugePages.Advise(result);
        // Fill blocks of rows in parallel straight into the tensor's memory: one pass, each row zeroed then its ones set.
        int block = Math.Max(1, (1 << 20) / dimension);
        int blocks = (rows.Count + block - 1) / block;
        Parallel.For(0, blocks, b =>
        {
            int first = b * block;
            int count = Math.Min(block, rows.Count - first);
            using var part = result.narrow(0, first, count);
            var values = MemoryMarshal.Cast<byte, float>(part.bytes);
            values.Clear();
            for (int r = 0; r < count; r++)
            {
                var row = values.Slice(r * dimension, dimension);
                foreach (var w in rows[first + r]) row[w] = 1f;
            }
        });
        return result;
    }

    /// <summary>
    /// Pads (or truncates) sequences to the same length, as Keras's <c>pad_sequences</c>: by default to the longest one,
    /// padding and truncating at the start. Returns int64 <c>[N, maxLen]</c>, ready for an Embedding layer.
    /// </summary>
    /// <param name="sequences">The sequences.</param>
    /// <param name="maxLen">The length of every row; null = the longest sequence.</param>
    /// <param name="padding">Where padding goes (default <see cref="PadSide.Pre"/>).</param>
    /// <param name="truncating">Which end long sequences lose (default <see cref="PadSide.Pre"/>: the start).</param>
    /// <param name="value">The padding value (default 0).</param>
    public static Tensor PadSequences(IEnumerable<int[]> sequences, int? maxLen = null, PadSide padding = PadSide.Pre, PadSide truncating = PadSide.Pre, long value = 0)
    {
        NativeSetup.EnsureTorch();
        var rows = sequences as IReadOnlyList<int[]> ?? sequences.ToList();
        int len = maxLen ?? (rows.Count == 0 ? 0 : rows.Max(r => r.Length));
        if (len < 0) throw new ArgumentOutOfRangeException(nameof(maxLen), maxLen, "maxLen must not be negative.");
        var data = new long[(long)rows.Count * len];
        if (value != 0) Array.Fill(data, value);
        for (int i = 0; i < rows.Count; i++)
        {
            var s = rows[i];
            int n = Math.Min(s.Length, len);
            int from = truncating == PadSide.Pre ? s.Length - n : 0;
            long to = (long)i * len + (padding == PadSide.Pre ? len - n : 0);
            for (int j = 0; j < n; j++) data[to + j] = s[from + j];
        }
        return tensor(data, [rows.Count, len], ScalarType.Int64);
    }
}
