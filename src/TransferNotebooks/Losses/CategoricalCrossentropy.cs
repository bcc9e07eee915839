using System.Runtime.CompilerServices;
using static TorchSharp.torch;

namespace TransferNotebooks.Losses;

/// <summary>Cross-entropy with one-hot labels (Keras <c>categorical_crossentropy</c>).</summary>
public sealed class CategoricalCrossentropy : Loss
{
    internal static void RegisterCategoricalCrossentropy()
    {
        LossRegistry.Register("categorical_crossentropy", () => new CategoricalCrossentropy());
    }

    /// <inheritdoc />
    public override string Name => "categorical_crossentropy";
    /// <inheritdoc />
    public override string KerasClassName => "CategoricalCrossentropy";
    /// <inheritdoc />
    public override string? FusedActivation => "softmax";
    /// <inheritdoc />
    public override TargetKind Targets => TargetKind.OneHot;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override Tensor PerSample(Tensor yTrue, Tensor yPred, OutputForm form)
    {
        using var scope = NewDisposeScope();
        var logp = form == OutputForm.Logits
            ? yPred.log_softmax(-1)
            : (yPred / yPred.sum(-1, keepdim: true)).clamp(Epsilon, 1 - Epsilon).log();
        return (yTrue.to_type(logp.dtype) * logp).sum(-1).neg().MoveToOuterDisposeScope();
    }
}

/// <summary>Queues <see cref="CategoricalCrossentropy"/>'s registration for the first registry lookup (see <see cref="PendingRegistrations"/>).</summary>
internal static class CategoricalCrossentropyRegisterCategoricalCrossentropyQueue
{
    [ModuleInitializer] internal static void Queue() => PendingRegistrations.Defer(static () => CategoricalCrossentropy.RegisterCategoricalCrossentropy());
}
