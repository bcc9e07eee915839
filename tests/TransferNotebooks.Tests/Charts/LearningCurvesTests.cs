using TransferNotebooks.Charts;
using TransferNotebooks.Training;

namespace TransferNotebooks.Tests.Charts;

public class LearningCurvesTests
{
    [Fact]
    public void The_chart_data_equals_the_history_values()
    {
        var h = ChartJson.SampleHistory();
        var traces = ChartJson.Traces(Plot.LearningCurves(h));
        foreach (var (key, name, axis) in new[] { ("loss", "training", "y"), ("val_loss", "validation", "y"), ("accuracy", "training", "y2"), ("val_accuracy", "validation", "y2") })
        {
            var t = traces.Single(t => (string)t!["name"]! == name && (string)t!["yaxis"]! == axis);
            Assert.Equal(h[key].Select(v => (double?)v), ChartJson.Numbers(t["y"]));
            Assert.Equal(new double?[] { 1, 2, 3, 4, 5 }, ChartJson.Numbers(t["x"]));
        }
    }

    [Fact]
    public void Learning_rate_is_on_a_secondary_axis_and_the_best_epoch_is_marked()
    {
        var h = ChartJson.SampleHistory();
        var chart = Plot.LearningCurves(h);
        var lr = ChartJson.Traces(chart).Single(t => (string)t!["name"]! == "learning rate");
        Assert.Equal(h["learning_rate"].Select(v => (double?)v), ChartJson.Numbers(lr["y"]));
        var layout = ChartJson.Layout(chart);
        var axis = layout[(string)lr["yaxis"]! == "y3" ? "yaxis3" : "missing"]!;
        Assert.Equal("y", (string)axis["overlaying"]!);
        Assert.Equal("right", (string)axis["side"]!);
        // val_loss is lowest at epoch 3: a line in each panel and a star at (3, 0.52).
        var shapes = layout["shapes"]!.AsArray();
        Assert.Equal(2, shapes.Count);
        Assert.All(shapes, s => Assert.Equal(3, (double)s!["x0"]!));
        var star = ChartJson.Traces(chart).Single(t => ((string)t!["name"]!).StartsWith("best epoch", StringComparison.Ordinal));
        Assert.Equal(new double?[] { 3 }, ChartJson.Numbers(star["x"]));
        Assert.Equal(new double?[] { 0.52 }, ChartJson.Numbers(star["y"]));
        Assert.Contains(layout["annotations"]!.AsArray(), a => ((string)a!["text"]!).Contains("best epoch 3", StringComparison.Ordinal));
    }

    [Fact]
    public void Titles_and_axis_labels_are_set()
    {
        var layout = ChartJson.Layout(Plot.LearningCurves(ChartJson.SampleHistory(), title: "MLP"));
        Assert.Equal("MLP", (string)layout["title"]!["text"]!);
        Assert.Equal("epoch", (string)layout["xaxis"]!["title"]!["text"]!);
        Assert.Equal("loss", (string)layout["yaxis"]!["title"]!["text"]!);
        Assert.Equal("accuracy", (string)layout["yaxis2"]!["title"]!["text"]!);
        Assert.Equal("learning rate", (string)layout["yaxis3"]!["title"]!["text"]!);
        Assert.Equal(ChartHtml.FigureJson(Plot.LearningCurves(ChartJson.SampleHistory())), ChartHtml.FigureJson(ChartJson.SampleHistory().Plot()));
    }

    [Fact]
    public void A_history_without_validation_marks_the_best_training_loss_and_rejects_unknown_metrics()
    {
        var h = new History();
        h.Append(0, new Dictionary<string, double> { ["loss"] = 0.5 });
        h.Append(1, new Dictionary<string, double> { ["loss"] = 0.3 });
        var traces = ChartJson.Traces(Plot.LearningCurves(h));
        Assert.DoesNotContain(traces, t => (string)t!["name"]! == "validation");
        Assert.Contains(traces, t => (string)t!["name"]! == "best epoch (loss)");
        var e = Assert.Throws<ArgumentException>(() => Plot.LearningCurves(h, metrics: ["accuracy"]));
        Assert.Contains("Recorded: loss", e.Message);
        Assert.Throws<ArgumentException>(() => Plot.LearningCurves(new History()));
    }

    [Fact]
    public void Compare_draws_one_colour_per_run_with_the_runs_values()
    {
        var a = ChartJson.SampleHistory();
        var b = new History();
        for (int e = 0; e < 3; e++) b.Append(e, new Dictionary<string, double> { ["loss"] = 1.0 / (e + 1), ["accuracy"] = 0.5 + e * 0.1, ["val_loss"] = 1.1 / (e + 1), ["val_accuracy"] = 0.45 + e * 0.1 });
        var runs = new Dictionary<string, History> { ["scratch"] = a, ["fine-tune"] = b };
        var chart = Plot.Compare(runs);
        var traces = ChartJson.Traces(chart);
        var fineVal = traces.Single(t => (string)t!["legendgroup"]! == "fine-tune" && (string)t!["yaxis"]! == "y2" && t!["line"]!["dash"] is null);
        Assert.Equal(b["val_accuracy"].Select(v => (double?)v), ChartJson.Numbers(fineVal["y"]));
        Assert.Contains("best val_accuracy 0.6500", (string)traces.Single(t => (string)t!["legendgroup"]! == "fine-tune" && (bool)t!["showlegend"]!)!["name"]!);
        var colours = traces.GroupBy(t => (string)t!["legendgroup"]!).Select(g => g.Select(t => (string)t!["line"]!["color"]!).Distinct().Single()).ToList();
        Assert.Equal(2, colours.Distinct().Count());
        // Tuples (C#) and F# tuples give the same figure.
        Assert.Equal(ChartHtml.FigureJson(chart), ChartHtml.FigureJson(Plot.Compare([("scratch", a), ("fine-tune", b)])));
        Assert.Equal(ChartHtml.FigureJson(chart), ChartHtml.FigureJson(Plot.Compare(new[] { Tuple.Create("scratch", a), Tuple.Create("fine-tune", b) })));
    }
}
