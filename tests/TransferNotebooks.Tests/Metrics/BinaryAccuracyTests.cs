using TransferNotebooks.Metrics;
using static TorchSharp.torch;
using static TransferNotebooks.Tests.Metrics.MetricData;

namespace TransferNotebooks.Tests.Metrics;

/// <summary>Binary accuracy (Keras's binary_accuracy): <c>mean(y_true == (y_pred &gt; threshold))</c> over the last axis, then over samples.</summary>
public class BinaryAccuracyTests
{
    [Theory]
    [InlineData(0.5, 5)]
    [InlineData(0.3, 16)]
    [InlineData(0.7, 3)]
    public void Binary_accuracy_matches_the_counts(double threshold, int batch)
    {
        var (tp, _, _, tn) = Counts(threshold);
        var (y, p) = Binary();
        using (y) using (p)
        using (var metric = new BinaryAccuracy(threshold))
            Assert.Equal((tp + tn) / (double)BinaryLabels.Length, Run(metric, y, p, batch), 12);
    }

    [Fact]
    public void Several_outputs_per_sample_average_within_the_sample_first()
    {
        // Two sigmoid outputs per sample (multi-label): per-sample means 1, 0.5, 0 -> 0.5.
        using var y = tensor(new float[] { 1, 0, 1, 1, 0, 0 }).reshape(3, 2);
        using var p = tensor(new float[] { 0.9f, 0.2f, 0.6f, 0.4f, 0.7f, 0.8f }).reshape(3, 2);
        using var metric = new BinaryAccuracy();
        Assert.Equal(0.5, Run(metric, y, p, 2), 12);
        Assert.Equal(new ThresholdConfig(0.5), metric.GetConfig());
        Assert.Equal("BinaryAccuracy", metric.KerasClassName);
    }

    [Fact]
    public void A_single_sigmoid_output_column_with_flat_labels_counts_each_sample_once()
    {
        // [N, 1] scores (a Dense(1, sigmoid) output) against [N] labels, the usual binary case: 3 of 4 right.
        using var y = tensor(new float[] { 1, 0, 1, 0 });
        using var p = tensor(new float[] { 0.8f, 0.1f, 0.4f, 0.3f }).reshape(4, 1);
        using var metric = new BinaryAccuracy();
        Assert.Equal(0.75, Run(metric, y, p, 4), 12);
        metric.Reset();
        Assert.Equal(0.75, Run(metric, y, p, 3), 12); // batches of 3 and 1
    }
}
