namespace TransferNotebooks;

public static partial class Keras
{
    /// <summary>
    /// Keras's <c>keras.utils.set_random_seed</c>: seeds every random draw that has no seed of its own (new layers'
    /// initial weights, Dropout, augmentation layers built without a <c>seed</c>, <c>Fit</c> without a <c>seed</c>), so that
    /// a notebook or script run twice, or its F# and C# versions, give the same numbers.
    /// Call it once at the top, before building models: <c>SetRandomSeed(1)</c>.
    /// </summary>
    /// <param name="seed">Any integer; the same seed gives the same run on the same machine and thread count.</param>
    public static void SetRandomSeed(int seed) => TorchSharp.torch.manual_seed(seed);
}
