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
    /// (<c>results[i, sequence] = 1</c> in the Keras book). Returns <c>[N, dimension]</c> float32, or the
    /// <paramref name="dtype"/> asked for: <see cref="ScalarType.Byte"/> holds the same 0/1 values in a quarter of the memory
    /// (0.5 GB instead of 2 GB for IMDB's 2 x 25k x 10,000), and Fit/Evaluate/Predict convert one batch at a time.
    /// </summary>
    /// <param name="sequences">Word indices per sample.</param>
    /// <param name="dimension">The number of columns (words); every index must be below it.</param>
    /// <param name="dtype">Float32 (default), Float64, Float16, BFloat16, Byte (uint8) or Bool.</param>
    /// <exception cref="ArgumentOutOfRangeException">An index is negative or not below <paramref name="dimension"/>.</exception>
    /// <exception cref="ArgumentException">An unsupported <paramref name="dtype"/>.</exception>
    public static Tensor Vectorize(IEnumerable<int[]> sequences, int dimension, ScalarType dtype = ScalarType.Float32)
    {
        if (dimension <= 0) throw new ArgumentOutOfRangeException(nameof(dimension), dimension, "The dimension (number of words) must be positive.");
        int size = dtype switch
        {
            ScalarType.Float64 => 8,
            ScalarType.Float32 => 4,
            ScalarType.Float16 or ScalarType.BFloat16 => 2,
            ScalarType.Byte or ScalarType.Bool => 1,
            _ => throw new ArgumentException($"Vectorize makes Float32, Float64, Float16, BFloat16, Byte or Bool tensors, not {dtype}. Use ScalarType.Byte for the compact form.", nameof(dtype)),
        };
        NativeSetup.EnsureTorch();
        var rows = sequences as IReadOnlyList<int[]> ?? sequences.ToList();
        var result = empty([rows.Count, dimension], dtype);
        // Fill blocks of rows in parallel straight into the tensor's memory: one pass, each row zeroed then its ones set,
        // indices checked on the way (the first bad row is reported after the pass, and the tensor is freed).
        int badRow = int.MaxValue;
        int block = (int)Math.Max(1, (4L << 20) / ((long)dimension * size));
        int blocks = (rows.Count + block - 1) / block;
        Parallel.For(0, blocks, b =>
        {
            int first = b * block;
            int count = Math.Min(block, rows.Count - first);
            using var part = result.narrow(0, first, count);
            var bytes = part.bytes;
            bytes.Clear();
            int bad = dtype switch
            {
                ScalarType.Float64 => SetOnes(MemoryMarshal.Cast<byte, double>(bytes), rows, first, count, dimension, 1.0),
                ScalarType.Float32 => SetOnes(MemoryMarshal.Cast<byte, float>(bytes), rows, first, count, dimension, 1f),
                ScalarType.Float16 => SetOnes(MemoryMarshal.Cast<byte, Half>(bytes), rows, first, count, dimension, (Half)1),
                ScalarType.BFloat16 => SetOnes(MemoryMarshal.Cast<byte, ushort>(bytes), rows, first, count, dimension, (ushort)0x3F80), // 1.0 in bfloat16
                _ => SetOnes(bytes, rows, first, count, dimension, (byte)1),
            };
            if (bad >= 0)
            {
                int seen;
                do seen = Volatile.Read(ref badRow);
                while (bad < seen && Interlocked.CompareExchange(ref badRow, bad, seen) != seen);
            }
        });
        if (badRow != int.MaxValue)
        {
            result.Dispose();
            int w = rows[badRow].First(i => (uint)i >= (uint)dimension);
            throw new ArgumentOutOfRangeException(nameof(sequences), w, $"Sequence {badRow} holds index {w}, outside 0..{dimension - 1}; load with numWords: {dimension} or vectorize with a larger dimension.");
        }
        return result;
    }

    /// <summary>
    /// Writes <paramref name="one"/> at each sequence's indices in rows <paramref name="first"/>.. of a zeroed block;
    /// returns the first row holding an index outside the dimension, or -1.
    /// </summary>
    static int SetOnes<T>(Span<T> values, IReadOnlyList<int[]> rows, int first, int count, int dimension, T one) where T : unmanaged
    {
        for (int r = 0; r < count; r++)
        {
            var row = values.Slice(r * dimension, dimension);
            foreach (var w in rows[first + r])
            {
                if ((uint)w >= (uint)dimension) return first + r;
                row[w] = one;
            }
        }
        return -1;
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
