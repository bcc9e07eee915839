using static TorchSharp.torch;

namespace TransferNotebooks;

/// <summary>
/// Shape reads for the per-batch path that leave nothing for the finalizer. TorchSharp's <c>Tensor.shape</c> leaves one
/// finalizable object per call (measured with <c>bench micro --finalizers 1</c>), which Fit's per-epoch collection then has to
/// finalize; <c>size(i)</c> and <c>dim()</c> leave none. Outside the loop (validation, error messages) <c>shape</c> is fine.
/// </summary>
internal static class TensorShapes
{
    /// <summary>The whole shape, as <c>Tensor.shape</c> gives it.</summary>
    public static long[] Of(Tensor t)
    {
        var dims = new long[t.dim()];
        for (int i = 0; i < dims.Length; i++) dims[i] = t.size(i);
        return dims;
    }

    /// <summary>The shape of one sample: every dimension but the first.</summary>
    public static int[] SampleShape(Tensor t)
    {
        var dims = new int[Math.Max(0, (int)t.dim() - 1)];
        for (int i = 0; i < dims.Length; i++) dims[i] = (int)t.size(i + 1);
        return dims;
    }

    /// <summary><paramref name="t"/> in <paramref name="like"/>'s shape (labels [N] for outputs [N, 1]); <paramref name="t"/> itself when it already is.</summary>
    public static Tensor ReshapeLike(Tensor t, Tensor like) => SameShape(t, like) ? t : t.reshape(Of(like));

    /// <summary>Whether <paramref name="a"/> and <paramref name="b"/> have the same shape.</summary>
    public static bool SameShape(Tensor a, Tensor b)
    {
        long rank = a.dim();
        if (rank != b.dim()) return false;
        for (int i = 0; i < rank; i++)
            if (a.size(i) != b.size(i)) return false;
        return true;
    }
}
