using TransferNotebooks.Charts;
using TransferNotebooks.Metrics;
using TransferNotebooks.Training;
using TransferNotebooks.Training.Callbacks;

namespace TransferNotebooks.Tests.Metrics;

/// <summary>One rule decides whether higher is better for a logged name; callbacks and charts use it.</summary>
public class MetricDirectionTests
{
    [Theory]
    [InlineData("loss", false)]
    [InlineData("val_loss", false)]
    [InlineData("mae", false)]
    [InlineData("val_mae", false)]
    [InlineData("mean_squared_error", false)]
    [InlineData("accuracy", true)]
    [InlineData("val_accuracy", true)]
    [InlineData("acc", true)]
    [InlineData("sparse_categorical_accuracy", true)]
    [InlineData("val_sparse_top_k_categorical_accuracy", true)]
    [InlineData("auc", true)]
    [InlineData("val_AUC", true)]
    [InlineData("precision", true)]
    [InlineData("val_recall", true)]
    [InlineData("f1_score", true)]
    [InlineData("fbeta_score", true)]
    [InlineData("val_fbeta", true)]
    [InlineData("fmeasure", true)]
    [InlineData("something_unknown", false)]
    [InlineData("seconds", false)]
    public void Higher_is_better_for_accuracy_like_names_and_lower_for_the_rest(string name, bool higher)
    {
        Assert.Equal(higher, MetricDirection.HigherIsBetter(name));
        Assert.Equal(!higher, MetricDirection.LowerIsBetter(name));
        Assert.Equal(higher, MonitorCallback.IsMaximizedByDefault(name)); // the callbacks' auto mode is the same rule
    }

    [Fact]
    public void Only_a_val_prefix_is_stripped()
    {
        Assert.Equal("loss", MetricDirection.BaseName("val_loss"));
        Assert.Equal("accuracy", MetricDirection.BaseName("accuracy"));
        Assert.Equal("interval_loss", MetricDirection.BaseName("interval_loss"));
        Assert.Equal("val_loss", MetricDirection.BaseName("val_val_loss"));
    }

    [Fact]
    public void IsBetter_follows_the_direction_and_never_prefers_NaN()
    {
        Assert.True(MetricDirection.IsBetter("val_loss", 0.1, 0.2));
        Assert.False(MetricDirection.IsBetter("val_loss", 0.3, 0.2));
        Assert.True(MetricDirection.IsBetter("val_fbeta", 0.9, 0.8));
        Assert.False(MetricDirection.IsBetter("auc", double.NaN, 0.8));
        Assert.True(MetricDirection.IsBetter("auc", 0.5, double.NaN));
    }

    [Fact]
    public void The_chart_marks_the_best_fbeta_epoch_as_the_highest()
    {
        var h = new History();
        double[] f = [0.2, 0.9, 0.5];
        for (int e = 0; e < f.Length; e++) h.Append(e, new Dictionary<string, double> { ["loss"] = 1.0 - e * 0.1, ["val_fbeta"] = f[e] });
        var best = Plot.BestEpoch(h, "val_fbeta");
        Assert.Equal(2, best!.Value.Epoch); // 1-based: the second epoch, 0.9 (the old chart rule minimised fbeta)
        Assert.Equal(3, Plot.BestEpoch(h, "loss")!.Value.Epoch);
    }
}
