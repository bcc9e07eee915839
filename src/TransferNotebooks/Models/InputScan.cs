using System.Runtime.CompilerServices;
using TransferNotebooks.Native;
using static TorchSharp.torch;

namespace TransferNotebooks.Models;

/// <summary>
/// The NaN check Fit, Evaluate and Predict run on their input before anything changes: one read-only pass over the data, done
/// once per tensor and contents. A tensor found clean is remembered with libtorch's version counter
/// (<see cref="TensorVersion"/>), so calling Fit again on the same, unchanged tensor (another Fit cell, FineTune's second phase,
/// Evaluate after Fit) does not read it again; any in-place change made through TorchSharp bumps the counter and the next
/// call checks again.
/// </summary>
/// <remarks>
/// The pass is a <c>sum()</c>: a finite sum proves there is no NaN, without the data-sized boolean tensor of <c>isnan()</c>
/// (that allocation took a third of a Fit epoch on IMDB multi-hot data); only a non-finite sum (a NaN, an infinity, or an
/// overflow) runs the exact check. It reads every value once: 10-12 ms for IMDB's 15,000 x 10,000 floats (600 MB) on 2 cores,
/// 3% of a 4-epoch Fit call (docs/benchmarks.md). Integer inputs need no check.
/// Writes that bypass libtorch (a <c>data&lt;T&gt;()</c> accessor, memory shared with a .NET array) are not seen by the counter;
/// such data is checked again only as a new tensor object. Where the counter cannot be read (not Linux, inference-mode
/// tensors), every call checks.
/// </remarks>
internal static class InputScan
{
    sealed record Clean(long Version, long[] Shape);

    static readonly ConditionalWeakTable<Tensor, Clean> Checked = new();

    /// <summary>True when <paramref name="x"/> holds a NaN; false for integer tensors.</summary>
    public static bool HasNaN(Tensor x) => Scan(x).HasNaN;

    /// <summary>The check, and whether it had to read the data (false: integer data, or already found clean unchanged).</summary>
    internal static (bool HasNaN, bool Read) Scan(Tensor x)
    {
        if (!x.is_floating_point()) return (false, false);
        long? version = TensorVersion.Of(x);
        if (version is { } v && Checked.TryGetValue(x, out var seen) && seen.Version == v && seen.Shape.SequenceEqual(x.shape)) return (false, false);
        bool nan = !AllFinite(x) && HasNaNExact(x);
        if (!nan && version is { } clean) Checked.AddOrUpdate(x, new Clean(clean, x.shape));
        return (nan, true);
    }

    /// <summary>
    /// True when the sum of all values is finite, which proves there is no NaN: one read-only pass, without the data-sized
    /// boolean tensor of <c>isnan()</c>.
    /// </summary>
    public static bool AllFinite(Tensor x)
    {
        using var sum = x.sum();
        using var wide = sum.to_type(ScalarType.Float64);
        return double.IsFinite(wide.item<double>());
    }

    static bool HasNaNExact(Tensor x)
    {
        using var nan = x.isnan().any();
        return nan.item<bool>();
    }
}
