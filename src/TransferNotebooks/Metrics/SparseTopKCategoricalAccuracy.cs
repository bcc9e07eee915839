using static TorchSharp.torch;

namespace TransferNotebooks.Metrics;

/// <summary>Share of samples whose label is among the k highest predictions (Keras <c>sparse_top_k_categorical_accuracy</c>, k = 5).</summary>
public sealed class SparseTopKCategoricalAccuracy : MeanMetric
{
    /// <summary>Creates the metric.</summary>
    public SparseTopKCategoricalAccuracy(int k = 5)
    {
        K = k;
        Name = k == 5 ? "sparse_top_k_categorical_accuracy" : $"top_{k}_accuracy";
    }

    /// <summary>How many top predictions count.</summary>
    public int K { get; }

    /// <inheritdoc />
    public override bool UsesOnlyScoreOrder => true;

    /// <inheritdoc />
    protected override Tensor Values(Tensor yTrue, Tensor yPred)
    {
        var top = yPred.topk((int)Math.Min(K, yPred.shape[^1]), -1).indexes;
        return top.eq(yTrue.reshape(-1, 1).to_type(ScalarType.Int64)).any(-1);
    }
}
