using TorchSharp;
using static TorchSharp.torch;

namespace TransferNotebooks.Losses;

/// <summary>Cross-entropy with integer class labels (Keras <c>sparse_categorical_crossentropy</c>).</summary>
public sealed class SparseCategoricalCrossentropy : Loss
{
    /// <inheritdoc />
    public override string Name => "sparse_categorical_crossentropy";
    /// <inheritdoc />
    public override string? FusedActivation => "softmax";
    /// <inheritdoc />
    public override TargetKind Targets => TargetKind.ClassIndices;

    /// <inheritdoc />
    public override Tensor PerSample(Tensor yTrue, Tensor yPred, OutputForm form)
    {
        using var labels = yTrue.dtype == ScalarType.Int64 ? yTrue.alias() : yTrue.to_type(ScalarType.Int64);
        using var logp = form == OutputForm.Logits ? yPred.log_softmax(-1) : yPred.clamp(Epsilon, 1 - Epsilon).log();
        using var idx = labels.reshape(-1, 1);
        using var picked = logp.gather(-1, idx);
        return picked.squeeze(-1).neg_();
    }
}
