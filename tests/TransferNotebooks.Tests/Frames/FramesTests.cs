using TransferNotebooks.Frames;
using TransferNotebooks.Training;

namespace TransferNotebooks.Tests.Frames;

public class FramesTests
{
    [Fact]
    public void A_history_frame_has_one_row_per_epoch_and_the_recorded_values()
    {
        var h = TransferNotebooks.Tests.Charts.ChartJson.SampleHistory();
        var f = h.ToFrame();
        Assert.Equal([1, 2, 3, 4, 5], f.RowKeys);
        Assert.Equal(h.Keys, f.ColumnKeys);
        foreach (var k in h.Keys) Assert.Equal(h[k], f.GetColumn<double>(k).Values);
    }

    [Fact]
    public void Evaluation_frames_list_each_quantity_and_compare_runs()
    {
        var a = new EvaluationResult(new Dictionary<string, double> { ["loss"] = 0.3, ["accuracy"] = 0.91 }, 1000);
        var b = new EvaluationResult(new Dictionary<string, double> { ["loss"] = 0.2, ["accuracy"] = 0.95 }, 1000);
        var f = a.ToFrame();
        Assert.Equal(["loss", "accuracy"], f.RowKeys);
        Assert.Equal(0.91, f.GetColumn<double>("value").Get("accuracy"));
        var both = new Dictionary<string, EvaluationResult> { ["scratch"] = a, ["fine-tune"] = b }.ToFrame();
        Assert.Equal(["scratch", "fine-tune"], both.RowKeys);
        Assert.Equal(0.95, both.GetColumn<double>("accuracy").Get("fine-tune"));
        Assert.Equal(1000, both.GetColumn<int>("samples").Get("scratch"));
    }

    [Fact]
    public void The_confusion_matrix_counts_pairs()
    {
        var cm = ConfusionMatrix.Compute(new[] { 0, 0, 1, 2, 2, 2 }, new[] { 0, 1, 1, 2, 0, 2 });
        Assert.Equal(6, cm.Total);
        Assert.Equal(new long[,] { { 1, 1, 0 }, { 0, 1, 0 }, { 1, 0, 2 } }, cm.Counts);
        Assert.Equal(4 / 6.0, cm.Accuracy, 12);
        Assert.Equal(2 / 3.0, cm.Normalized()[2, 2], 12);
        Assert.Equal(2.0, cm.ToFrame().GetColumn<double>("2").Get("2"));
    }

    [Fact]
    public void Predictions_give_confidence_and_cross_entropy_and_squash_logits()
    {
        var p = Predictions.FromProbabilities(new[] { new[] { 0.7, 0.2, 0.1 }, new[] { 0.1, 0.1, 0.8 } }, [0L, 1L]);
        Assert.Equal(0, p[0].Predicted);
        Assert.Equal(0.7, p[0].Confidence, 12);
        Assert.Equal(-Math.Log(0.7), p[0].Loss, 12);
        Assert.False(p[1].Correct);
        Assert.Equal(-Math.Log(0.1), p[1].Loss, 12);
        Assert.Equal([1], p.TopLosses(1).Select(x => x.Index));

        var logits = Predictions.FromProbabilities(new[] { new[] { 2.0, 0.0 } }, [1L]);
        double p1 = 1 / (1 + Math.Exp(2));
        Assert.Equal(-Math.Log(p1), logits[0].Loss, 9);

        var binary = Predictions.FromBinary([0.9, 0.2], [0L, 0L]);
        Assert.Equal(1, binary[0].Predicted);
        Assert.Equal(-Math.Log(0.1), binary[0].Loss, 9);

        var f = p.ToFrame();
        Assert.Equal(["true", "predicted", "confidence", "loss", "correct"], f.ColumnKeys);
        Assert.Equal(2L, f.GetColumn<long>("predicted").Get(1));
    }
}
