using System.Runtime.CompilerServices;
using static TorchSharp.torch;

namespace TransferNotebooks.Metrics;

/// <summary>Binary precision: true positives / predicted positives, at a threshold (0.5).</summary>
public sealed class Precision : ConfusionCountsMetric
{
    internal static void RegisterPrecision()
    {
        MetricRegistry.Register("precision", () => new Precision());
    }

    /// <summary>Creates the metric from its config record.</summary>
    public Precision(ThresholdConfig config) : base(config) => Name = "precision";
    /// <summary>Creates the metric; the threshold defaults to <see cref="ThresholdConfig"/>'s (0.5).</summary>
    public Precision(double? threshold = null) : this(threshold is { } t ? new ThresholdConfig(t) : new ThresholdConfig()) { }
    /// <inheritdoc />
    public override string KerasClassName => "Precision";
    /// <inheritdoc />
    public override double Result() => Ratio(TruePositives, TruePositives + FalsePositives);
}

/// <summary>Binary recall: true positives / actual positives, at a threshold (0.5).</summary>
public sealed class Recall : ConfusionCountsMetric
{
    internal static void RegisterRecall()
    {
        MetricRegistry.Register("recall", () => new Recall());
    }

    /// <summary>Creates the metric from its config record.</summary>
    public Recall(ThresholdConfig config) : base(config) => Name = "recall";
    /// <summary>Creates the metric; the threshold defaults to <see cref="ThresholdConfig"/>'s (0.5).</summary>
    public Recall(double? threshold = null) : this(threshold is { } t ? new ThresholdConfig(t) : new ThresholdConfig()) { }
    /// <inheritdoc />
    public override string KerasClassName => "Recall";
    /// <inheritdoc />
    public override double Result() => Ratio(TruePositives, TruePositives + FalseNegatives);
}

/// <summary>Counts true/false positives and false negatives of binary predictions on tensors.</summary>
public abstract class ConfusionCountsMetric : Metric
{
    Tensor? counts; // [tp, fp, fn]

    readonly ThresholdConfig config;

    /// <summary>Creates the metric with a decision threshold on probabilities.</summary>
    protected ConfusionCountsMetric(ThresholdConfig config) => this.config = config;

    /// <summary>The decision threshold.</summary>
    public double Threshold => config.Threshold;

    /// <inheritdoc />
    public override ThresholdConfig GetConfig() => config;
    /// <summary>True positives so far.</summary>
    protected double TruePositives => Get(0);
    /// <summary>False positives so far.</summary>
    protected double FalsePositives => Get(1);
    /// <summary>False negatives so far.</summary>
    protected double FalseNegatives => Get(2);

    double Get(int i) => counts is null ? 0 : counts[i].item<double>();

    /// <summary>a / b, 0 when b is 0.</summary>
    protected static double Ratio(double a, double b) => b == 0 ? 0 : a / b;

    /// <inheritdoc />
    public override void Reset()
    {
        counts?.Dispose();
        counts = null;
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void Update(Tensor yTrue, Tensor yPred)
    {
        using var scope = NewDisposeScope();
        var p = yPred.reshape(-1).gt(Threshold);
        var t = yTrue.reshape(-1).gt(0.5);
        var tp = (p & t).sum();
        var fp = (p & t.logical_not()).sum();
        var fn = (p.logical_not() & t).sum();
        var batch = stack([tp, fp, fn]).to_type(ScalarType.Float64);
        if (counts is null) counts = batch.clone().DetachFromDisposeScope();
        else counts.add_(batch, Scalars.One);
    }

    /// <inheritdoc />
    public override void Dispose()
    {
        Reset();
        base.Dispose();
    }
}

/// <summary>Queues <see cref="Precision"/>'s registration for the first registry lookup (see <see cref="PendingRegistrations"/>).</summary>
internal static class PrecisionRegisterPrecisionQueue
{
    [ModuleInitializer] internal static void Queue() => PendingRegistrations.Defer(static () => Precision.RegisterPrecision());
}
/// <summary>Queues <see cref="Recall"/>'s registration for the first registry lookup (see <see cref="PendingRegistrations"/>).</summary>
internal static class RecallRegisterRecallQueue
{
    [ModuleInitializer] internal static void Queue() => PendingRegistrations.Defer(static () => Recall.RegisterRecall());
}
