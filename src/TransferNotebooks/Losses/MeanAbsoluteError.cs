using System.Runtime.CompilerServices;
using static TorchSharp.torch;

namespace TransferNotebooks.Losses;

/// <summary>Mean absolute error per sample (Keras <c>mae</c>).</summary>
public sealed class MeanAbsoluteError : Loss
{
    internal static void RegisterMeanAbsoluteError()
    {
        LossRegistry.Register("mean_absolute_error", () => new MeanAbsoluteError());
        LossRegistry.Register("mae", () => new MeanAbsoluteError());
    }

    /// <inheritdoc />
    public override string Name => "mean_absolute_error";
    /// <inheritdoc />
    public override string KerasClassName => "MeanAbsoluteError";
    /// <inheritdoc />
    public override TargetKind Targets => TargetKind.Values;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override Tensor PerSample(Tensor yTrue, Tensor yPred, OutputForm form)
    {
        using var scope = NewDisposeScope();
        var d = (yPred - TargetsLike(yTrue, yPred)).abs();
        return MeanPerSample(d).MoveToOuterDisposeScope();
    }
}

/// <summary>Queues <see cref="MeanAbsoluteError"/>'s registration for the first registry lookup (see <see cref="PendingRegistrations"/>).</summary>
internal static class MeanAbsoluteErrorRegisterMeanAbsoluteErrorQueue
{
    [ModuleInitializer] internal static void Queue() => PendingRegistrations.Defer(static () => MeanAbsoluteError.RegisterMeanAbsoluteError());
}
