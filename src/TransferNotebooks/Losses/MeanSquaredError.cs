using System.Runtime.CompilerServices;
using static TorchSharp.torch;

namespace TransferNotebooks.Losses;

/// <summary>Mean squared error per sample (Keras <c>mse</c>).</summary>
public sealed class MeanSquaredError : Loss
{
    internal static void RegisterMeanSquaredError()
    {
        LossRegistry.Register("mean_squared_error", () => new MeanSquaredError());
        LossRegistry.Register("mse", () => new MeanSquaredError());
    }

    /// <inheritdoc />
    public override string Name => "mean_squared_error";
    /// <inheritdoc />
    public override string KerasClassName => "MeanSquaredError";
    /// <inheritdoc />
    public override TargetKind Targets => TargetKind.Values;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override Tensor PerSample(Tensor yTrue, Tensor yPred, OutputForm form)
    {
        using var scope = NewDisposeScope();
        var d = yPred - TargetsLike(yTrue, yPred);
        var sq = MeanPerSample(d * d);
        return sq.MoveToOuterDisposeScope();
    }
}

/// <summary>Queues <see cref="MeanSquaredError"/>'s registration for the first registry lookup (see <see cref="PendingRegistrations"/>).</summary>
internal static class MeanSquaredErrorRegisterMeanSquaredErrorQueue
{
    [ModuleInitializer] internal static void Queue() => PendingRegistrations.Defer(static () => MeanSquaredError.RegisterMeanSquaredError());
}
