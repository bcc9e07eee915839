using static TorchSharp.torch;

namespace TransferNotebooks.Layers;

/// <summary>
/// A layer that reads Keras's padding mask (<c>Embedding(maskZero: true)</c>: true for real tokens, false for padding id 0),
/// shape [batch, steps]. The model computes the mask from the token ids and hands it along the layers: layers that work step by
/// step and keep the steps pass it on (<see cref="Layer.PassesMask"/>); these layers use it; any other layer ends it, as in Keras 3.
/// </summary>
public interface IMaskable
{
    /// <summary>Runs the layer honouring <paramref name="mask"/> (null: no mask, the plain call).</summary>
    Tensor Call(Tensor input, bool training, Tensor? mask);
}
