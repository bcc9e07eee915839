using static TorchSharp.torch;

namespace TransferNotebooks.Losses;

/// <summary>What a model's output tensor holds when it reaches the loss.</summary>
public enum OutputForm
{
    /// <summary>Probabilities (after softmax / sigmoid) or plain regression values.</summary>
    Probabilities,
    /// <summary>Pre-activation logits; the loss applies the activation in its fused, numerically stable form.</summary>
    Logits,
}

/// <summary>What form of target a loss expects, used to check labels before training.</summary>
public enum TargetKind
{
    /// <summary>Integer class indices [N].</summary>
    ClassIndices,
    /// <summary>One-hot or probability rows [N, classes].</summary>
    OneHot,
    /// <summary>0/1 targets with the output's shape.</summary>
    Binary,
    /// <summary>Real-valued targets with the output's shape.</summary>
    Values,
}

/// <summary>
/// A loss function (Keras semantics: per-sample values averaged over the batch). Losses whose <see cref="FusedActivation"/>
/// matches the model's final activation receive logits and compute the stable fused form (log-softmax / BCE-with-logits).
/// Strings convert implicitly: <c>loss: "sparse_categorical_crossentropy"</c>.
/// </summary>
public abstract class Loss
{
    /// <summary>The Keras name.</summary>
    public abstract string Name { get; }

    /// <summary>True when the model outputs logits (no final softmax/sigmoid), Keras's <c>from_logits</c>.</summary>
    public bool FromLogits { get; init; }

    /// <summary>The activation this loss can fuse with (<c>softmax</c> or <c>sigmoid</c>), or null.</summary>
    public virtual string? FusedActivation => null;

    /// <summary>What the targets must look like.</summary>
    public abstract TargetKind Targets { get; }

    /// <summary>The loss of each sample, shape [N].</summary>
    public abstract Tensor PerSample(Tensor yTrue, Tensor yPred, OutputForm form);

    /// <summary>The batch mean, optionally weighted per sample (Keras: sum of weighted losses / batch size).</summary>
    public virtual Tensor Compute(Tensor yTrue, Tensor yPred, OutputForm? form = null, Tensor? sampleWeight = null)
    {
        using var perSample = PerSample(yTrue, yPred, form ?? (FromLogits ? OutputForm.Logits : OutputForm.Probabilities));
        if (sampleWeight is null) return perSample.mean();
        using var weighted = perSample * sampleWeight;
        return weighted.mean();
    }

    /// <summary>Looks a loss up by Keras name.</summary>
    public static implicit operator Loss(string name) => LossRegistry.Get(name);

    /// <inheritdoc />
    public override string ToString() => Name;

    /// <summary>Keras's epsilon for clipping probabilities.</summary>
    protected const double Epsilon = 1e-7;
}
