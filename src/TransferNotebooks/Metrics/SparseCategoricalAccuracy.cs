using System.Runtime.CompilerServices;
using static TorchSharp.torch;

namespace TransferNotebooks.Metrics;

/// <summary>Share of samples whose arg-max prediction equals the integer label.</summary>
public sealed class SparseCategoricalAccuracy : MeanMetric
{
    internal static void RegisterSparseCategoricalAccuracy()
    {
        MetricRegistry.Register("sparse_categorical_accuracy", () => new SparseCategoricalAccuracy());
    }

    /// <summary>Creates the metric (named <c>accuracy</c> when chosen by that name).</summary>
    public SparseCategoricalAccuracy() => Name = "sparse_categorical_accuracy";

    /// <inheritdoc />
    public override string KerasClassName => "SparseCategoricalAccuracy";

    /// <inheritdoc />
    public override bool UsesOnlyScoreOrder => true;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected override Tensor Values(Tensor yTrue, Tensor yPred) => yPred.argmax(-1).eq(yTrue.dim() == 1 && yTrue.dtype == ScalarType.Int64 ? yTrue : yTrue.reshape(-1).to_type(ScalarType.Int64));
}

/// <summary>Queues <see cref="SparseCategoricalAccuracy"/>'s registration for the first registry lookup (see <see cref="PendingRegistrations"/>).</summary>
internal static class SparseCategoricalAccuracyRegisterSparseCategoricalAccuracyQueue
{
    [ModuleInitializer] internal static void Queue() => PendingRegistrations.Defer(static () => SparseCategoricalAccuracy.RegisterSparseCategoricalAccuracy());
}
