using TorchSharp;
using TransferNotebooks.Native;
using static TorchSharp.torch;

namespace TransferNotebooks.Data;

/// <summary>
/// Features and labels as two tensors with the same first dimension: what <c>Fit</c>, <c>Evaluate</c> and
/// <c>Predict</c> take. Filtering, subsetting and splitting return new datasets and never change this one.
/// </summary>
/// <remarks>Images are kept as Keras does: <c>[N, H, W]</c> or <c>[N, H, W, C]</c> (channels last). Labels are int64 class
/// indices <c>[N]</c> (or float targets / one-hot rows for other losses).</remarks>
public sealed class Dataset : IDisposable
{
    /// <summary>Creates a dataset from tensors (they are kept, not copied; the dataset owns them afterwards).</summary>
    /// <exception cref="ArgumentException">The first dimensions differ.</exception>
    public Dataset(Tensor x, Tensor y)
    {
        NativeSetup.EnsureTorch();
        if (x.shape.Length == 0 || y.shape.Length == 0 || x.shape[0] != y.shape[0])
            throw new ArgumentException($"Features and labels must have the same first dimension (number of samples); got x {Shape(x)} and y {Shape(y)}.");
        X = x;
        Y = y;
    }

    /// <summary>The features, first dimension = samples.</summary>
    public Tensor X { get; }

    /// <summary>The labels, first dimension = samples.</summary>
    public Tensor Y { get; }

    /// <summary>Number of samples.</summary>
    public int Count => (int)X.shape[0];

    /// <summary>Labels as a .NET array (class indices).</summary>
    public long[] Labels => Y.to_type(ScalarType.Int64).data<long>().ToArray();

    /// <summary>
    /// The features as a flat .NET array in row-major order, for example MNIST pixels as <c>byte[]</c> of N x 28 x 28
    /// (<c>Features&lt;byte&gt;()</c>, or <c>Features&lt;float&gt;()</c> when loaded scaled). <typeparamref name="T"/> must match <see cref="X"/>'s dtype.
    /// </summary>
    /// <exception cref="InvalidOperationException">T does not match the dtype.</exception>
    public T[] Features<T>() where T : unmanaged
    {
        var expected = typeof(T) == typeof(byte) ? ScalarType.Byte : typeof(T) == typeof(float) ? ScalarType.Float32 : typeof(T) == typeof(long) ? ScalarType.Int64
            : typeof(T) == typeof(int) ? ScalarType.Int32 : typeof(T) == typeof(double) ? ScalarType.Float64 : typeof(T) == typeof(bool) ? ScalarType.Bool : (ScalarType?)null;
        if (expected != X.dtype)
            throw new InvalidOperationException($"The features are {X.dtype}; ask for the matching .NET type (Byte: byte, Float32: float, Int64: long, Int32: int, Float64: double, Bool: bool).");
        using var c = X.contiguous();
        return c.data<T>().ToArray();
    }

    /// <summary>The distinct class labels, sorted.</summary>
    public long[] Classes => Labels.Distinct().Order().ToArray();

    /// <summary>Wraps .NET arrays: rows of features and integer labels.</summary>
    public static Dataset From(float[,] x, int[] y) => new(tensor(x), tensor(y.Select(v => (long)v).ToArray()));

    /// <summary>Wraps .NET arrays: jagged rows of features and integer labels.</summary>
    public static Dataset From(float[][] x, int[] y)
    {
        if (x.Length == 0) throw new ArgumentException("No samples: the feature array is empty.", nameof(x));
        int d = x[0].Length;
        var flat = new float[x.Length * d];
        for (int i = 0; i < x.Length; i++)
        {
            if (x[i].Length != d) throw new ArgumentException($"Row {i} has {x[i].Length} features but row 0 has {d}; all rows must have the same length.", nameof(x));
            Array.Copy(x[i], 0, flat, i * d, d);
        }
        return new(tensor(flat, [x.Length, d]), tensor(y.Select(v => (long)v).ToArray()));
    }

    /// <summary>The samples at <paramref name="indices"/>, in that order.</summary>
    public Dataset Select(IEnumerable<long> indices)
    {
        using var scope = NewDisposeScope();
        var idx = tensor(indices.ToArray(), ScalarType.Int64);
        var x = X.index_select(0, idx);
        var y = Y.index_select(0, idx);
        return new Dataset(x.MoveToOuterDisposeScope(), y.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// Only the samples whose label is in <paramref name="classes"/>; with <paramref name="remap"/>, labels become
    /// 0..k-1 in the order given (for example digits 5-9 become 0-4).
    /// </summary>
    public Dataset WhereLabel(IEnumerable<int> classes, bool remap = false)
    {
        var wanted = classes.Select(c => (long)c).ToArray();
        var labels = Labels;
        var keep = Enumerable.Range(0, labels.Length).Where(i => Array.IndexOf(wanted, labels[i]) >= 0).Select(i => (long)i).ToList();
        if (keep.Count == 0)
            throw new ArgumentException($"No sample has a label in [{string.Join(", ", wanted)}]; labels present: [{string.Join(", ", Classes)}].", nameof(classes));
        var subset = Select(keep);
        if (!remap) return subset;
        var mapped = keep.Select(i => (long)Array.IndexOf(wanted, labels[i])).ToArray();
        var result = new Dataset(subset.X, tensor(mapped));
        subset.Y.Dispose();
        return result;
    }

    /// <summary><paramref name="count"/> samples drawn at random (seeded) without replacement; all of them if fewer exist.</summary>
    public Dataset Take(int count, int seed = 0)
    {
        if (count <= 0) throw new ArgumentOutOfRangeException(nameof(count), count, "Take needs a positive count.");
        var order = Permutation(Count, seed);
        return Select(order.Take(Math.Min(count, Count)));
    }

    /// <summary>Up to <paramref name="perClass"/> samples of each class, drawn at random (seeded): the few-labels setting of transfer learning.</summary>
    public Dataset TakePerClass(int perClass, int seed = 0)
    {
        if (perClass <= 0) throw new ArgumentOutOfRangeException(nameof(perClass), perClass, "TakePerClass needs a positive count.");
        var labels = Labels;
        var picked = Permutation(Count, seed).GroupBy(i => labels[i]).SelectMany(g => g.Take(perClass)).Order();
        return Select(picked);
    }

    /// <summary>The same samples in a random (seeded) order.</summary>
    public Dataset Shuffle(int seed = 0) => Select(Permutation(Count, seed));

    /// <summary>
    /// Splits off the last <paramref name="fraction"/> of the samples (Keras's validation_split takes the end, unshuffled):
    /// <c>var (train, validation) = data.Split(0.1);</c> in C#, <c>let train, validation = data.Split 0.1</c> in F#.
    /// </summary>
    public Tuple<Dataset, Dataset> Split(double fraction)
    {
        if (fraction <= 0 || fraction >= 1) throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "The split fraction must be between 0 and 1 (exclusive), for example 0.1.");
        int valCount = (int)Math.Round(Count * fraction);
        int trainCount = Count - valCount;
        if (valCount == 0 || trainCount == 0) throw new ArgumentException($"Splitting {Count} samples at {fraction} leaves one side empty.", nameof(fraction));
        return Tuple.Create(Select(Range(0, trainCount)), Select(Range(trainCount, valCount)));
    }

    static IEnumerable<long> Range(int start, int count) => Enumerable.Range(start, count).Select(i => (long)i);

    static long[] Permutation(int n, int seed)
    {
        var order = Enumerable.Range(0, n).Select(i => (long)i).ToArray();
        new Random(seed).Shuffle(order);
        return order;
    }

    static string Shape(Tensor t) => "[" + string.Join(", ", t.shape) + "]";

    /// <inheritdoc />
    public override string ToString() => $"Dataset: {Count} samples, x {Shape(X)} {X.dtype}, y {Shape(Y)} {Y.dtype}";

    /// <summary>Frees the native tensors.</summary>
    public void Dispose()
    {
        X.Dispose();
        Y.Dispose();
    }
}
