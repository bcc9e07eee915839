using static TorchSharp.torch;

namespace TransferNotebooks.Layers;

/// <summary>
/// A layer that ends in an activation. The training loop uses it to compute softmax/sigmoid + cross-entropy in the
/// numerically stable fused form (from the pre-activation logits) when such a layer is the model's last.
/// </summary>
public interface IHasActivation
{
    /// <summary>The layer's activation.</summary>
    ActivationFunction Activation { get; }

    /// <summary>Runs the layer without its activation (the logits).</summary>
    Tensor CallWithoutActivation(Tensor input, bool training);
}
