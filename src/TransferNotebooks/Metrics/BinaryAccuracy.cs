using System.Runtime.CompilerServices;
using static TorchSharp.torch;

namespace TransferNotebooks.Metrics;

/// <summary>Share of binary predictions on the right side of a threshold (0.5 by default).</summary>
public sealed class BinaryAccuracy : MeanMetric
{
    internal static void RegisterBinaryAccuracy()
    {
        MetricRegistry.Register("binary_accuracy", () => new BinaryAccuracy());
    }

    readonly ThresholdConfig config;

    /// <summary>Creates the metric from its config record.</summary>
    public BinaryAccuracy(ThresholdConfig config)
    {
        Name = "binary_accuracy";
        this.config = config;
    }

    /// <summary>Creates the metric; the threshold defaults to <see cref="ThresholdConfig"/>'s (0.5).</summary>
    public BinaryAccuracy(double? threshold = null) : this(threshold is { } t ? new ThresholdConfig(t) : new ThresholdConfig()) { }

    /// <summary>The decision threshold on probabilities.</summary>
    public double Threshold => config.Threshold;

    /// <inheritdoc />
    public override string KerasClassName => "BinaryAccuracy";

    /// <inheritdoc />
    public override ThresholdConfig GetConfig() => config;

    /// <inheritdoc />
    protected override Tensor Values(Tensor yTrue, Tensor yPred)
    {
        var predicted = yPred.gt(Threshold);
        var actual = yTrue.reshape(yPred.shape).gt(0.5);
        var eq = predicted.eq(actual).to_type(ScalarType.Float32);
        return eq.dim() > 1 ? eq.reshape(eq.shape[0], -1).mean([1]) : eq;
    }
}

/// <summary>Queues <see cref="BinaryAccuracy"/>'s registration for the first registry lookup (see <see cref="PendingRegistrations"/>).</summary>
internal static class BinaryAccuracyRegisterBinaryAccuracyQueue
{
    [ModuleInitializer] internal static void Queue() => PendingRegistrations.Defer(static () => BinaryAccuracy.RegisterBinaryAccuracy());
}
