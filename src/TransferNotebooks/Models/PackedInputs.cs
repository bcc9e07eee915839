using static TorchSharp.torch;

namespace TransferNotebooks.Models;

/// <summary>
/// The inputs of a model with several inputs, as one tensor of rows: each input flattened per sample and placed side by side,
/// <c>[N, features of input 1 + features of input 2 + ...]</c>. The one training loop batches and shuffles rows, so several
/// inputs go through it (and through validation splits) unchanged; the model cuts each batch back into its inputs.
/// </summary>
/// <remarks>
/// Values keep their exact value: float32 holds every integer below 2^24 (token ids, pixels), and anything wider (float64, larger
/// integers) packs as float64. The model converts each part back to what its first layer takes (for example int64 for Embedding).
/// </remarks>
internal static class PackedInputs
{
    /// <summary>Packs one tensor per input (same number of samples) into rows.</summary>
    /// <exception cref="ArgumentException">No tensors, or their sample counts differ (the message gives them).</exception>
    public static Tensor Pack(IReadOnlyList<Tensor> inputs)
    {
        if (inputs.Count == 0) throw new ArgumentException("No inputs given: pass one tensor per model input.");
        long n = inputs[0].shape[0];
        if (inputs.Any(t => t.dim() < 1 || t.shape[0] != n))
            throw new ArgumentException($"The inputs differ in their number of samples ({string.Join(", ", inputs.Select(t => t.dim() < 1 ? "a scalar" : t.shape[0].ToString()))}): every input needs one row per sample.");
        var wide = inputs.Any(NeedsFloat64) ? ScalarType.Float64 : ScalarType.Float32;
        using var scope = NewDisposeScope();
        var packed = cat(inputs.Select(t => t.reshape(n, -1).to_type(wide)).ToList(), dim: 1);
        return packed.MoveToOuterDisposeScope();
    }

    static bool NeedsFloat64(Tensor t)
    {
        if (t.dtype is ScalarType.Float64) return true;
        if (t.is_floating_point() || t.dtype is ScalarType.Byte or ScalarType.Int8 or ScalarType.Bool or ScalarType.Int16) return false;
        using var max = t.abs().max();
        return max.to_type(ScalarType.Float64).item<double>() >= 1 << 24;
    }

    /// <summary>The number of packed columns for inputs of these per-sample shapes.</summary>
    public static long Width(IEnumerable<int[]> shapes) => shapes.Sum(s => s.Aggregate(1L, (a, d) => a * d));

    /// <summary>Cuts packed rows back into one tensor per input, of shape <c>[N, ...shape]</c>.</summary>
    public static Tensor[] Unpack(Tensor packed, IReadOnlyList<int[]> shapes)
    {
        var parts = new Tensor[shapes.Count];
        long start = 0;
        for (int i = 0; i < shapes.Count; i++)
        {
            long width = shapes[i].Aggregate(1L, (a, d) => a * d);
            parts[i] = packed.narrow(1, start, width).reshape([packed.shape[0], .. shapes[i].Select(d => (long)d)]);
            start += width;
        }
        return parts;
    }
}
