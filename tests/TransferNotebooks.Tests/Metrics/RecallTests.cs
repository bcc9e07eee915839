using TransferNotebooks.Metrics;
using static TransferNotebooks.Tests.Metrics.MetricData;

namespace TransferNotebooks.Tests.Metrics;

/// <summary>Recall = TP / (TP + FN), a prediction positive when strictly above the threshold (Keras's metrics_utils), 0 without positives.</summary>
public class RecallTests
{
    [Theory]
    [InlineData(0.5, 4)]
    [InlineData(0.3, 7)]
    [InlineData(0.1, 16)]
    public void Recall_matches_counts_by_keras_rule_across_batches(double threshold, int batch)
    {
        var (tp, _, fn, _) = Counts(threshold);
        var (y, p) = Binary();
        using (y) using (p)
        using (var metric = new Recall(threshold))
            Assert.Equal((double)tp / (tp + fn), Run(metric, y, p, batch), 12);
    }

    [Fact]
    public void No_positive_labels_give_zero_and_reset_clears_the_counts()
    {
        using var y = TorchSharp.torch.tensor(new float[] { 0, 0 });
        using var p = TorchSharp.torch.tensor(new float[] { 0.9f, 0.1f });
        using var metric = new Recall();
        Assert.Equal(0, Run(metric, y, p, 2));
        using var y2 = TorchSharp.torch.tensor(new float[] { 1, 1 });
        Assert.Equal(0.5, Run(metric, y2, p, 1)); // Run resets first: the earlier batch does not count
        Assert.Equal("Recall", metric.KerasClassName);
        Assert.Equal(new ThresholdConfig(), metric.GetConfig());
    }
}
