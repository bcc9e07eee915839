using TransferNotebooks.Metrics;
using static TorchSharp.torch;
using static TransferNotebooks.Tests.Metrics.MetricData;

namespace TransferNotebooks.Tests.Metrics;

/// <summary>Top-k accuracy = share of samples whose label's score is among the k highest of its row (Keras's in_top_k).</summary>
public class SparseTopKCategoricalAccuracyTests
{
    [Theory]
    [InlineData(1, 3)]
    [InlineData(2, 4)]
    [InlineData(3, 10)]
    [InlineData(5, 7)]
    public void Top_k_matches_the_rank_of_each_label(int k, int batch)
    {
        double expected = Enumerable.Range(0, ClassLabels.Length).Count(i => Rank(i) < k) / (double)ClassLabels.Length;
        using var y = tensor(ClassLabels);
        using var p = ProbabilityTensor();
        using var metric = new SparseTopKCategoricalAccuracy(k);
        Assert.Equal(expected, Run(metric, y, p, batch), 12);
    }

    [Fact]
    public void The_data_separate_the_ks_and_float_labels_work()
    {
        var byK = Enumerable.Range(1, 5).Select(k => Enumerable.Range(0, ClassLabels.Length).Count(i => Rank(i) < k)).ToArray();
        Assert.Equal(byK.Length, byK.Distinct().Count()); // each k gives a different answer on these data
        using var y = tensor(ClassLabels.Select(l => (float)l).ToArray()).reshape(-1, 1);
        using var p = ProbabilityTensor();
        using var metric = new SparseTopKCategoricalAccuracy(2);
        Assert.Equal(byK[1] / 10.0, Run(metric, y, p, 5), 12);
    }

    [Fact]
    public void Names_and_settings_follow_k()
    {
        using var keras = new SparseTopKCategoricalAccuracy();
        Assert.Equal("sparse_top_k_categorical_accuracy", keras.Name);
        Assert.Equal(new TopKConfig(5), keras.GetConfig());
        Assert.Equal("SparseTopKCategoricalAccuracy", keras.KerasClassName);
        using var three = new SparseTopKCategoricalAccuracy(new TopKConfig(3));
        Assert.Equal("top_3_accuracy", three.Name);
        Assert.Equal(3, three.K);
    }
}
