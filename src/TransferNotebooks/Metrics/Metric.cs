using System.Runtime.CompilerServices;
using static TorchSharp.torch;

namespace TransferNotebooks.Metrics;

/// <summary>The settings of a metric that has some (<see cref="ThresholdConfig"/>, <see cref="TopKConfig"/>); the record holds the defaults.</summary>
public abstract record MetricConfig;

/// <summary>A decision threshold on probabilities (Keras's default 0.5): <see cref="BinaryAccuracy"/>, <see cref="Precision"/>, <see cref="Recall"/>.</summary>
/// <param name="Threshold">Predictions above it count as positive.</param>
public sealed record ThresholdConfig(double Threshold = 0.5) : MetricConfig;

/// <summary>How many of the highest predictions count (Keras's default k = 5): <see cref="SparseTopKCategoricalAccuracy"/>.</summary>
/// <param name="K">The number of top predictions.</param>
public sealed record TopKConfig(int K = 5) : MetricConfig;

/// <summary>
/// A streaming metric: <see cref="Update"/> per batch accumulates on tensors (no host synchronisation per batch),
/// <see cref="Result"/> reads the value. Predictions reach it as probabilities (after the model's final activation).
/// </summary>
public abstract class Metric : IDisposable
{
    /// <summary>The name shown in logs and History (Keras's: <c>accuracy</c>, <c>precision</c>, ...).</summary>
    public virtual string Name { get; init; } = "";

    /// <summary>
    /// The Keras class name (<c>keras.metrics.SparseCategoricalAccuracy</c> is <c>SparseCategoricalAccuracy</c>), used when reading
    /// Keras compile configs. By default the Pascal-case form of <see cref="Name"/>.
    /// </summary>
    public virtual string KerasClassName => string.Concat(Name.Split('_').Select(p => p.Length == 0 ? p : char.ToUpperInvariant(p[0]) + p[1..]));

    /// <summary>The metric's settings as its config record, or null for a metric without settings.</summary>
    public virtual MetricConfig? GetConfig() => null;

    /// <summary>
    /// True when the metric depends only on the order of the scores within a row (arg-max, top-k), so it gives the same
    /// result on logits as on probabilities; the training loop then skips computing the softmax for it.
    /// </summary>
    public virtual bool UsesOnlyScoreOrder => false;

    /// <summary>Clears the accumulated state (called at the start of each epoch and evaluation).</summary>
    public abstract void Reset();

    /// <summary>Accumulates one batch. <paramref name="yPred"/> holds probabilities (or values for regression).</summary>
    public abstract void Update(Tensor yTrue, Tensor yPred);

    /// <summary>The metric over everything accumulated since <see cref="Reset"/>.</summary>
    public abstract double Result();

    /// <summary>Frees accumulators.</summary>
    public virtual void Dispose() { GC.SuppressFinalize(this); }

    /// <inheritdoc />
    public override string ToString() => Name;
}

/// <summary>A metric that is a mean of per-sample values (accuracy flavours, top-k): sums and counts kept on a tensor.</summary>
public abstract class MeanMetric : Metric
{
    Tensor? total;
    long count;

    /// <summary>Per-sample values in [0, 1] (or any real), shape [N].</summary>
    protected abstract Tensor Values(Tensor yTrue, Tensor yPred);

    /// <inheritdoc />
    public override void Reset()
    {
        total?.Dispose();
        total = null;
        count = 0;
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void Update(Tensor yTrue, Tensor yPred)
    {
        using var scope = NewDisposeScope();
        var v = Values(yTrue, yPred).sum(ScalarType.Float64);
        if (total is null) total = v.detach().clone().DetachFromDisposeScope();
        else total.add_(v, Scalars.One);
        count += yTrue.size(0);
    }

    /// <inheritdoc />
    public override double Result() => count == 0 || total is null ? 0 : total.item<double>() / count;

    /// <inheritdoc />
    public override void Dispose()
    {
        Reset();
        base.Dispose();
    }
}
