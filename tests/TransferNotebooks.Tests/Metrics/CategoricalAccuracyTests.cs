using TransferNotebooks.Metrics;
using static TorchSharp.torch;
using static TransferNotebooks.Tests.Metrics.MetricData;

namespace TransferNotebooks.Tests.Metrics;

/// <summary>Categorical accuracy: share of samples whose arg-max equals the arg-max of the one-hot (or soft) label row.</summary>
public class CategoricalAccuracyTests
{
    [Fact]
    public void Accuracy_with_one_hot_and_smoothed_labels()
    {
        double expected = Enumerable.Range(0, ClassLabels.Length).Count(i => Rank(i) == 0) / (double)ClassLabels.Length;
        using var labels = tensor(ClassLabels);
        using var oneHot = nn.functional.one_hot(labels, 6).to_type(ScalarType.Float32);
        using var smoothed = oneHot * 0.9f + 0.1f / 6;
        using var p = ProbabilityTensor();
        using var metric = new CategoricalAccuracy();
        Assert.Equal(expected, Run(metric, oneHot, p, 4), 12);
        Assert.Equal(expected, Run(metric, smoothed, p, 10), 12);
        Assert.Equal("CategoricalAccuracy", metric.KerasClassName);
    }
}
