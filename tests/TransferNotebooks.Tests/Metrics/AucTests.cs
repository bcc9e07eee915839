using TransferNotebooks.Metrics;
using static TorchSharp.torch;
using static TransferNotebooks.Tests.Metrics.MetricData;

namespace TransferNotebooks.Tests.Metrics;

/// <summary>
/// Our AUC is exact (all predictions of the epoch, ties averaged), not Keras's 200-threshold interpolation; it is checked against
/// the area of the ROC curve built from the sorted scores, with the trapezoid rule (a tied group is one diagonal step).
/// </summary>
public class AucTests
{
    /// <summary>Trapezoid area under the ROC curve: walk the distinct scores from high to low, adding each group's (FP, TP) step.</summary>
    static double TrapezoidRoc(float[] labels, float[] scores)
    {
        double pos = labels.Count(l => l > 0.5f), neg = labels.Length - pos;
        double area = 0, tpr = 0, fpr = 0;
        foreach (var group in scores.Select((s, i) => (s, positive: labels[i] > 0.5f)).GroupBy(x => x.s).OrderByDescending(g => g.Key))
        {
            double newTpr = tpr + group.Count(x => x.positive) / pos, newFpr = fpr + group.Count(x => !x.positive) / neg;
            area += (newFpr - fpr) * (tpr + newTpr) / 2;
            (tpr, fpr) = (newTpr, newFpr);
        }
        return area;
    }

    [Theory]
    [InlineData(4)]
    [InlineData(16)]
    public void Auc_equals_the_trapezoid_roc_area_with_ties(int batch)
    {
        var expected = TrapezoidRoc(BinaryLabels, BinaryScores);
        Assert.InRange(expected, 0.6, 0.95); // a middling classifier: the data are not trivial
        var (y, p) = Binary();
        using (y) using (p)
        using (var metric = new Auc())
            Assert.Equal(expected, Run(metric, y, p, batch), 12);
    }

    [Fact]
    public void Perfect_reversed_and_constant_scores()
    {
        using var y = tensor(new float[] { 0, 0, 1, 1, 0, 1 });
        using var metric = new Auc();
        using (var perfect = tensor(new float[] { 0.1f, 0.2f, 0.8f, 0.9f, 0.3f, 0.7f }))
            Assert.Equal(1.0, Run(metric, y, perfect, 6), 12);
        using (var reversed = tensor(new float[] { 0.9f, 0.8f, 0.2f, 0.1f, 0.7f, 0.3f }))
            Assert.Equal(0.0, Run(metric, y, reversed, 4), 12);
        using (var constant = tensor(new float[] { 0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f }))
            Assert.Equal(0.5, Run(metric, y, constant, 2), 12);
        Assert.Equal("AUC", metric.KerasClassName);
    }
}
