using TorchSharp;

namespace TransferNotebooks;

/// <summary>
/// Scalars the per-batch path passes explicitly. TorchSharp's <c>add(x)</c> and <c>add_(x)</c> without an <c>alpha</c> create an
/// implicit 1 that only the finalizer frees (one object per call, <c>bench micro --finalizers 1</c>), and Fit's per-epoch
/// collection then finalizes thousands of them (a recurrent layer adds per time step). <c>x.add_(y, Scalars.One)</c> computes the
/// same and leaves nothing behind. Read-only after creation, so shared by every thread.
/// </summary>
internal static class Scalars
{
    /// <summary>1, for <c>alpha</c>: an integer, which libtorch accepts for every dtype (a floating 1.0 is refused for integer tensors).</summary>
    public static readonly Scalar One = 1;
}
