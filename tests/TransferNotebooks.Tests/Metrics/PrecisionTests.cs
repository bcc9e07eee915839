using TransferNotebooks.Metrics;
using static TransferNotebooks.Tests.Metrics.MetricData;

namespace TransferNotebooks.Tests.Metrics;

/// <summary>Precision = TP / (TP + FP), a prediction positive when strictly above the threshold (Keras's metrics_utils), 0 when nothing is predicted positive.</summary>
public class PrecisionTests
{
    [Theory]
    [InlineData(0.5, 3)]
    [InlineData(0.3, 5)]
    [InlineData(0.75, 16)]
    public void Precision_matches_counts_by_keras_rule_across_batches(double threshold, int batch)
    {
        var (tp, fp, _, _) = Counts(threshold);
        var (y, p) = Binary();
        using (y) using (p)
        using (var metric = new Precision(threshold))
            Assert.Equal((double)tp / (tp + fp), Run(metric, y, p, batch), 12);
    }

    [Fact]
    public void The_threshold_is_strict_and_nothing_predicted_positive_gives_zero()
    {
        using var y = TorchSharp.torch.tensor(new float[] { 1, 0, 1 });
        using var atThreshold = TorchSharp.torch.tensor(new float[] { 0.5f, 0.5f, 0.2f });
        using var metric = new Precision();
        Assert.Equal(0, Run(metric, y, atThreshold, 3));
        using var above = TorchSharp.torch.tensor(new float[] { 0.51f, 0.5f, 0.2f });
        Assert.Equal(1, Run(metric, y, above, 2));
    }

    [Fact]
    public void Settings_live_in_the_config_record()
    {
        using var metric = new Precision();
        Assert.Equal(new ThresholdConfig(0.5), metric.GetConfig());
        Assert.Equal(0.25, new Precision(new ThresholdConfig(0.25)).Threshold);
        Assert.Equal("Precision", metric.KerasClassName);
        Assert.Equal("precision", metric.Name);
    }
}
