using Microsoft.DotNet.Interactive.Formatting;
using TransferNotebooks.Charts;
using TransferNotebooks.Frames;
using TransferNotebooks.Models;
using TransferNotebooks.Tests.Charts;
using TransferNotebooks.Transfer;
using static TransferNotebooks.Keras;
using static TorchSharp.torch;

namespace TransferNotebooks.Tests.Frames;

public class ComparisonFrameTests
{
    [Fact]
    public void A_transfer_comparison_becomes_a_frame_a_chart_and_notebook_html()
    {
        using var train = Fixtures.MnistTrain().Take(300, seed: 1);
        using var test = Fixtures.MnistTest().Take(100, seed: 1);
        var cmp = new Comparison(test);
        Sequential Build()
        {
            manual_seed(1);
            var m = new Sequential(Flatten(inputShape: [28, 28]), Dense(16, activation: "relu"), Dense(10, activation: "softmax"));
            m.Compile(optimizer: "adam", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
            return m;
        }
        cmp.Run("scratch", Build, m => m.Fit(train, epochs: 2, validationData: test, seed: 1, verbose: 0));
        cmp.Run("longer", Build, m => m.Fit(train, epochs: 3, validationData: test, seed: 1, verbose: 0));

        var f = cmp.ToFrame();
        Assert.Equal(["scratch", "longer"], f.RowKeys);
        Assert.Equal(cmp.Rows[1].Accuracy, f.GetColumn<double>("accuracy").Get("longer"));
        Assert.Equal(3, f.GetColumn<int>("epochs").Get("longer"));

        var chart = Plot.Compare(cmp);
        var longerVal = ChartJson.Traces(chart).Single(t => (string)t["legendgroup"]! == "longer" && (string)t["yaxis"]! == "y2" && t["line"]!["dash"] is null);
        Assert.Equal(cmp.Rows[1].History["val_accuracy"].Select(v => (double?)v), ChartJson.Numbers(longerVal["y"]));
        Assert.Contains("test accuracy: scratch", (string)ChartJson.Layout(chart)["title"]!["text"]!);

        var html = Formatter.ToDisplayString(cmp, "text/html");
        Assert.Contains("Plotly.newPlot", html);
        Assert.Contains("<td class=\"tn-key\">longer</td>", html);
    }

    [Fact]
    public void Lines_draw_named_series_sorted_by_x()
    {
        var chart = Plot.Lines(new Dictionary<string, IEnumerable<(double, double)>> { ["scratch"] = [(100, 0.9), (10, 0.5)], ["fine-tune"] = [(10, 0.8), (100, 0.97)] },
            "Accuracy by budget", "examples per class", "accuracy", logX: true, percentY: true);
        var traces = ChartJson.Traces(chart);
        Assert.Equal(new double?[] { 10, 100 }, ChartJson.Numbers(traces[0]["x"]));
        Assert.Equal(new double?[] { 0.5, 0.9 }, ChartJson.Numbers(traces[0]["y"]));
        Assert.Equal("log", (string)ChartJson.Layout(chart)["xaxis"]!["type"]!);
    }
}
