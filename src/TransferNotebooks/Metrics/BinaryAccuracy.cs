using static TorchSharp.torch;

namespace TransferNotebooks.Metrics;

/// <summary>Share of binary predictions on the right side of a threshold (0.5 by default).</summary>
public sealed class BinaryAccuracy : MeanMetric
{
    /// <summary>Creates the metric.</summary>
    public BinaryAccuracy(double threshold = 0.5)
    {
        Name = "binary_accuracy";
        Threshold = threshold;
    }

    /// <summary>The decision threshold on probabilities.</summary>
    public double Threshold { get; }

    /// <inheritdoc />
    protected override Tensor Values(Tensor yTrue, Tensor yPred)
    {
        var predicted = yPred.gt(Threshold);
        var actual = yTrue.reshape(yPred.shape).gt(0.5);
        var eq = predicted.eq(actual).to_type(ScalarType.Float32);
        return eq.dim() > 1 ? eq.reshape(eq.shape[0], -1).mean([1]) : eq;
    }
}
