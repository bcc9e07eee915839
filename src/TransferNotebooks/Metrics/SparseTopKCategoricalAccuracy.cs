using System.Runtime.CompilerServices;
using static TorchSharp.torch;

namespace TransferNotebooks.Metrics;

/// <summary>Share of samples whose label is among the k highest predictions (Keras <c>sparse_top_k_categorical_accuracy</c>, k = 5).</summary>
public sealed class SparseTopKCategoricalAccuracy : MeanMetric
{
    internal static void RegisterSparseTopKCategoricalAccuracy()
    {
        MetricRegistry.Register("sparse_top_k_categorical_accuracy", () => new SparseTopKCategoricalAccuracy());
        MetricRegistry.Register("top_k_accuracy", () => new SparseTopKCategoricalAccuracy());
    }

    readonly TopKConfig config;

    /// <summary>Creates the metric from its config record (named <c>sparse_top_k_categorical_accuracy</c> for Keras's k, else <c>top_k_accuracy</c> with k).</summary>
    public SparseTopKCategoricalAccuracy(TopKConfig config)
    {
        this.config = config;
        Name = config == new TopKConfig() ? "sparse_top_k_categorical_accuracy" : $"top_{config.K}_accuracy";
    }

    /// <summary>Creates the metric; k defaults to <see cref="TopKConfig"/>'s (5).</summary>
    public SparseTopKCategoricalAccuracy(int? k = null) : this(k is { } v ? new TopKConfig(v) : new TopKConfig()) { }

    /// <summary>How many top predictions count.</summary>
    public int K => config.K;

    /// <inheritdoc />
    public override string KerasClassName => "SparseTopKCategoricalAccuracy";

    /// <inheritdoc />
    public override TopKConfig GetConfig() => config;

    /// <inheritdoc />
    public override bool UsesOnlyScoreOrder => true;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected override Tensor Values(Tensor yTrue, Tensor yPred)
    {
        var top = yPred.topk((int)Math.Min(K, yPred.size(-1)), -1).indexes;
        return top.eq(yTrue.reshape(-1, 1).to_type(ScalarType.Int64)).any(-1);
    }
}

/// <summary>Queues <see cref="SparseTopKCategoricalAccuracy"/>'s registration for the first registry lookup (see <see cref="PendingRegistrations"/>).</summary>
internal static class SparseTopKCategoricalAccuracyRegisterSparseTopKCategoricalAccuracyQueue
{
    [ModuleInitializer] internal static void Queue() => PendingRegistrations.Defer(static () => SparseTopKCategoricalAccuracy.RegisterSparseTopKCategoricalAccuracy());
}
