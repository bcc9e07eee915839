using TransferNotebooks.Frames;

namespace TransferNotebooks.Tests.Frames;

public class ClassificationReportTests
{
    // Hand computation for yTrue = [0,0,0,1,1,2], yPred = [0,0,1,1,2,2]:
    //   class 0: tp 2, predicted 2, actual 3 -> P 1,   R 2/3, F1 0.8
    //   class 1: tp 1, predicted 2, actual 2 -> P 1/2, R 1/2, F1 1/2
    //   class 2: tp 1, predicted 2, actual 1 -> P 1/2, R 1,   F1 2/3
    //   accuracy 4/6; macro P 2/3, R 13/18, F1 (0.8 + 0.5 + 2/3)/3; weighted P 0.75, R 2/3, F1 (2.4 + 1 + 2/3)/6
    static readonly long[] True = [0, 0, 0, 1, 1, 2];
    static readonly long[] Pred = [0, 0, 1, 1, 2, 2];

    [Fact]
    public void Numbers_match_a_hand_computation()
    {
        var r = ClassificationReport.Compute(True, Pred);
        Assert.Equal([1, 0.5, 0.5], r.Classes.Select(c => c.Precision), Tolerance);
        Assert.Equal([2 / 3.0, 0.5, 1], r.Classes.Select(c => c.Recall), Tolerance);
        Assert.Equal([0.8, 0.5, 2 / 3.0], r.Classes.Select(c => c.F1), Tolerance);
        Assert.Equal([3L, 2L, 1L], r.Classes.Select(c => c.Support));
        Assert.Equal(4 / 6.0, r.Accuracy, 12);
        Assert.Equal(2 / 3.0, r.MacroAverage.Precision, 12);
        Assert.Equal(13 / 18.0, r.MacroAverage.Recall, 12);
        Assert.Equal((0.8 + 0.5 + 2 / 3.0) / 3, r.MacroAverage.F1, 12);
        Assert.Equal(0.75, r.WeightedAverage.Precision, 12);
        Assert.Equal(2 / 3.0, r.WeightedAverage.Recall, 12);
        Assert.Equal((2.4 + 1 + 2 / 3.0) / 6, r.WeightedAverage.F1, 12);
        Assert.Equal(6, r.Samples);
    }

    [Fact]
    public void The_frame_is_laid_out_as_scikit_learn_prints_it()
    {
        var f = ClassificationReport.Compute(True, Pred, ["zero", "one", "two"]).ToFrame();
        Assert.Equal(["zero", "one", "two", "accuracy", "macro avg", "weighted avg"], f.RowKeys);
        Assert.Equal(["precision", "recall", "f1-score", "support"], f.ColumnKeys);
        Assert.Equal(0.5, f.GetColumn<double>("precision").Get("two"), 12);
        Assert.Equal(4 / 6.0, f.GetColumn<double>("f1-score").Get("accuracy"), 12);
        Assert.False(f.GetColumn<double>("precision").TryGet("accuracy").HasValue); // blank, as scikit-learn
        Assert.Equal(6, f.GetColumn<double>("support").Get("weighted avg"));
        var text = ClassificationReport.Compute(True, Pred).ToString();
        Assert.Contains("macro avg", text);
        Assert.Contains("0.67", text);
    }

    [Fact]
    public void A_class_never_predicted_has_zero_precision_not_nan()
    {
        var r = ClassificationReport.Compute(new long[] { 0, 1, 1 }, new long[] { 0, 0, 0 });
        Assert.Equal(0, r.Classes[1].Precision);
        Assert.Equal(0, r.Classes[1].F1);
        Assert.Throws<ArgumentException>(() => ClassificationReport.Compute(new long[] { 0, 1 }, new long[] { 0 }));
        Assert.Throws<ArgumentException>(() => ClassificationReport.Compute(new long[] { 0, 3 }, new long[] { 0, 1 }, ["a", "b"]));
    }

    static readonly Comparer Tolerance = new();
    sealed class Comparer : IEqualityComparer<double>
    {
        public bool Equals(double a, double b) => Math.Abs(a - b) < 1e-12;
        public int GetHashCode(double d) => 0;
    }
}
