using System.Runtime.CompilerServices;
using TorchSharp;
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
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected override Tensor Values(Tensor yTrue, Tensor yPred)
    {
        using Scalar threshold = Threshold, half = 0.5;
        var predicted = yPred.gt(threshold);
        var actual = TensorShapes.ReshapeLike(yTrue, yPred).gt(half);
        var right = predicted.eq(actual);
        // One prediction per sample ([N] or [N, 1], the usual case): the right/wrong flags themselves, which the mean sums as
        // float64; several per sample: their mean per sample, as Keras.
        return right.dim() <= 1 || right.numel() == right.size(0) ? right : right.reshape(right.size(0), -1).to_type(ScalarType.Float32).mean([1]);
    }
}

/// <summary>Queues <see cref="BinaryAccuracy"/>'s registration for the first registry lookup (see <see cref="PendingRegistrations"/>).</summary>
internal static class BinaryAccuracyRegisterBinaryAccuracyQueue
{
    [ModuleInitializer] internal static void Queue() => PendingRegistrations.Defer(static () => BinaryAccuracy.RegisterBinaryAccuracy());
}
