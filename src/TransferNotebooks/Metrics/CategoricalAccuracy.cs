using System.Runtime.CompilerServices;
using static TorchSharp.torch;

namespace TransferNotebooks.Metrics;

/// <summary>Share of samples whose arg-max prediction equals the arg-max of the one-hot label.</summary>
public sealed class CategoricalAccuracy : MeanMetric
{
    internal static void RegisterCategoricalAccuracy()
    {
        MetricRegistry.Register("categorical_accuracy", () => new CategoricalAccuracy());
    }

    /// <summary>Creates the metric.</summary>
    public CategoricalAccuracy() => Name = "categorical_accuracy";

    /// <inheritdoc />
    public override string KerasClassName => "CategoricalAccuracy";

    /// <inheritdoc />
    public override bool UsesOnlyScoreOrder => true;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected override Tensor Values(Tensor yTrue, Tensor yPred) => yPred.argmax(-1).eq(yTrue.argmax(-1));
}

/// <summary>Queues <see cref="CategoricalAccuracy"/>'s registration for the first registry lookup (see <see cref="PendingRegistrations"/>).</summary>
internal static class CategoricalAccuracyRegisterCategoricalAccuracyQueue
{
    [ModuleInitializer] internal static void Queue() => PendingRegistrations.Defer(static () => CategoricalAccuracy.RegisterCategoricalAccuracy());
}
