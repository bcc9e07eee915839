using TransferNotebooks.Metrics;
using static TorchSharp.torch;
using static TransferNotebooks.Tests.Metrics.MetricData;

namespace TransferNotebooks.Tests.Metrics;

/// <summary>Sparse categorical accuracy: share of samples whose arg-max equals the integer label (the rank-0 label).</summary>
public class SparseCategoricalAccuracyTests
{
    [Theory]
    [InlineData(3)]
    [InlineData(10)]
    public void Accuracy_is_the_share_of_labels_ranked_first(int batch)
    {
        double expected = Enumerable.Range(0, ClassLabels.Length).Count(i => Rank(i) == 0) / (double)ClassLabels.Length;
        Assert.Equal(0.4, expected, 12);
        using var y = tensor(ClassLabels);
        using var p = ProbabilityTensor();
        using var metric = new SparseCategoricalAccuracy();
        Assert.Equal(expected, Run(metric, y, p, batch), 12);
        using var logits = p.log();
        Assert.Equal(expected, Run(metric, y, logits, batch), 12); // order only: logits give the same
        Assert.Equal("SparseCategoricalAccuracy", metric.KerasClassName);
    }
}
