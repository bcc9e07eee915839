using System.Runtime.CompilerServices;
using static TorchSharp.torch;

namespace TransferNotebooks.Losses;

/// <summary>Binary cross-entropy (Keras <c>binary_crossentropy</c>), averaged over the last axis per sample.</summary>
public sealed class BinaryCrossentropy : Loss
{
    internal static void RegisterBinaryCrossentropy()
    {
        LossRegistry.Register("binary_crossentropy", () => new BinaryCrossentropy());
    }

    /// <inheritdoc />
    public override string Name => "binary_crossentropy";
    /// <inheritdoc />
    public override string KerasClassName => "BinaryCrossentropy";
    /// <inheritdoc />
    public override string? FusedActivation => "sigmoid";
    /// <inheritdoc />
    public override TargetKind Targets => TargetKind.Binary;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override Tensor PerSample(Tensor yTrue, Tensor yPred, OutputForm form)
    {
        using var scope = NewDisposeScope();
        var target = TargetsLike(yTrue, yPred);
        Tensor perElement;
        if (form == OutputForm.Logits)
            perElement = nn.functional.binary_cross_entropy_with_logits(yPred, target, reduction: nn.Reduction.None);
        else
        {
            var p = yPred.clamp(Epsilon, 1 - Epsilon);
            perElement = -(target * p.log() + (1 - target) * (1 - p).log());
        }
        var perSample = MeanPerSample(perElement);
        return perSample.MoveToOuterDisposeScope();
    }
}

/// <summary>Queues <see cref="BinaryCrossentropy"/>'s registration for the first registry lookup (see <see cref="PendingRegistrations"/>).</summary>
internal static class BinaryCrossentropyRegisterBinaryCrossentropyQueue
{
    [ModuleInitializer] internal static void Queue() => PendingRegistrations.Defer(static () => BinaryCrossentropy.RegisterBinaryCrossentropy());
}
