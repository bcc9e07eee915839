using System.Runtime.CompilerServices;
using TorchSharp;
using static TorchSharp.torch;

namespace TransferNotebooks.Losses;

/// <summary>Cross-entropy with integer class labels (Keras <c>sparse_categorical_crossentropy</c>).</summary>
public sealed class SparseCategoricalCrossentropy : Loss
{
    internal static void RegisterSparseCategoricalCrossentropy()
    {
        LossRegistry.Register("sparse_categorical_crossentropy", () => new SparseCategoricalCrossentropy());
    }

    /// <inheritdoc />
    public override string Name => "sparse_categorical_crossentropy";
    /// <inheritdoc />
    public override string KerasClassName => "SparseCategoricalCrossentropy";
    /// <inheritdoc />
    public override string? FusedActivation => "softmax";
    /// <inheritdoc />
    public override TargetKind Targets => TargetKind.ClassIndices;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override Tensor PerSample(Tensor yTrue, Tensor yPred, OutputForm form)
    {
        using var labels = Labels(yTrue);
        if (form == OutputForm.Logits && yPred.dim() == 2)
            return nn.functional.cross_entropy(yPred, labels, reduction: nn.Reduction.None);
        using var logp = form == OutputForm.Logits ? yPred.log_softmax(-1) : yPred.clamp(Epsilon, 1 - Epsilon).log();
        using var idx = labels.reshape(-1, 1);
        using var picked = logp.gather(-1, idx);
        return picked.squeeze(-1).neg_();
    }

    /// <summary>
    /// The batch mean. On logits without sample weights it is one fused native op (log-softmax and negative log-likelihood,
    /// as torch's cross_entropy), with fewer graph nodes for backward than the per-sample form.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override Tensor Compute(Tensor yTrue, Tensor yPred, OutputForm? form = null, Tensor? sampleWeight = null)
    {
        var f = form ?? (FromLogits ? OutputForm.Logits : OutputForm.Probabilities);
        if (f != OutputForm.Logits || sampleWeight is not null || yPred.dim() != 2) return base.Compute(yTrue, yPred, form, sampleWeight);
        using var labels = Labels(yTrue);
        return nn.functional.cross_entropy(yPred, labels);
    }

    /// <summary>Labels as a 1-D int64 tensor (a new handle the caller disposes).</summary>
    static Tensor Labels(Tensor yTrue)
    {
        var flat = yTrue.dim() == 1 ? yTrue.alias() : yTrue.reshape(-1);
        if (flat.dtype == ScalarType.Int64) return flat;
        using (flat) return flat.to_type(ScalarType.Int64);
    }
}

/// <summary>Queues <see cref="SparseCategoricalCrossentropy"/>'s registration for the first registry lookup (see <see cref="PendingRegistrations"/>).</summary>
internal static class SparseCategoricalCrossentropyRegisterSparseCategoricalCrossentropyQueue
{
    [ModuleInitializer] internal static void Queue() => PendingRegistrations.Defer(static () => SparseCategoricalCrossentropy.RegisterSparseCategoricalCrossentropy());
}
