using TransferNotebooks.Charts;
using TransferNotebooks.Frames;
using TransferNotebooks.Models;
using static TransferNotebooks.Keras;
using static TorchSharp.torch;

namespace TransferNotebooks.Tests.Charts;

/// <summary>Charts of a real (briefly trained) MNIST classifier: confusion matrix, digit grid, top losses, histograms.</summary>
public class ClassificationChartsTests : IClassFixture<ClassificationChartsTests.Trained>
{
    public sealed class Trained : IDisposable
    {
        public Trained()
        {
            manual_seed(7);
            using var train = Fixtures.MnistTrain().Take(1500, seed: 2);
            Test = Fixtures.MnistTest().Take(300, seed: 4);
            Model = new Sequential(Flatten(inputShape: [28, 28]), Dense(32, activation: "relu"), Dense(10, activation: "softmax"));
            Model.Compile(optimizer: "adam", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
            Model.Fit(train, epochs: 2, batchSize: 64, seed: 1, verbose: 0);
            Predicted = Model.PredictClasses(Test.X);
        }
        public Sequential Model { get; }
        public TransferNotebooks.Data.Dataset Test { get; }
        public long[] Predicted { get; }
        public void Dispose() { Model.Dispose(); Test.Dispose(); }
    }

    readonly Trained t;
    public ClassificationChartsTests(Trained trained) => t = trained;

    [Fact]
    public void The_confusion_matrix_sums_to_the_number_of_samples_and_matches_the_accuracy()
    {
        var chart = Plot.ConfusionMatrix(t.Model, t.Test);
        var heat = ChartJson.Traces(chart).Single();
        var z = heat!["z"]!.AsArray().Select(r => r!.AsArray().Select(v => v!.GetValue<double>()).ToArray()).ToArray();
        Assert.Equal(t.Test.Count, z.Sum(r => r.Sum()));
        double diagonal = Enumerable.Range(0, z.Length).Sum(i => z[i][i]);
        Assert.Equal(t.Model.Evaluate(t.Test).Accuracy, diagonal / t.Test.Count, 4);
        var layout = ChartJson.Layout(chart);
        Assert.Equal("predicted label", (string)layout["xaxis"]!["title"]!["text"]!);
        Assert.Equal("true label", (string)layout["yaxis"]!["title"]!["text"]!);

        var normalised = ChartJson.Traces(Plot.ConfusionMatrix(t.Test.Labels, t.Predicted, normalize: true)).Single();
        foreach (var row in normalised!["z"]!.AsArray())
        {
            var sum = row!.AsArray().Sum(v => v!.GetValue<double>());
            Assert.True(sum == 0 || Math.Abs(sum - 1) < 1e-9);
        }
    }

    [Fact]
    public void The_image_grid_shows_each_digit_with_true_and_predicted_labels_and_wrong_ones_in_red()
    {
        var chart = Plot.ImageGrid(t.Test, t.Predicted, count: 12, columns: 6);
        var traces = ChartJson.Traces(chart);
        Assert.Equal(12, traces.Count);
        Assert.All(traces, tr => Assert.Equal(28, tr!["z"]!.AsArray().Count));
        var captions = ChartJson.Layout(chart)["annotations"]!.AsArray();
        var labels = t.Test.Labels;
        for (int i = 0; i < 12; i++)
        {
            Assert.Equal($"true {labels[i]} · pred {t.Predicted[i]}", (string)captions[i]!["text"]!);
            Assert.Equal(labels[i] == t.Predicted[i] ? "#222222" : "#d62728", (string)captions[i]!["font"]!["color"]!);
        }
        // The pixels are the dataset's.
        var first = traces[0]!["z"]!.AsArray().SelectMany(r => r!.AsArray().Select(v => v!.GetValue<double>())).ToArray();
        var expected = t.Test.X[0].reshape(-1).data<float>().ToArray();
        Assert.Equal(expected.Length, first.Length);
        Assert.True(expected.Zip(first).All(p => Math.Abs(p.First - p.Second) < 1e-3));
    }

    [Fact]
    public void Top_losses_are_the_highest_loss_predictions_in_order()
    {
        var predictions = Predictions.Of(t.Model, t.Test);
        var chart = Plot.TopLosses(t.Test, predictions, count: 6);
        var top = predictions.OrderByDescending(p => p.Loss).Take(6).ToList();
        var captions = ChartJson.Layout(chart)["annotations"]!.AsArray().Select(a => (string)a!["text"]!).ToList();
        Assert.Equal(6, captions.Count);
        for (int i = 0; i < 6; i++) Assert.StartsWith($"{top[i].Predicted} / {top[i].True} / ", captions[i]);
        Assert.True(top[0].Loss >= top[^1].Loss);
    }

    [Fact]
    public void Weight_and_activation_histograms_hold_every_value()
    {
        var dense = t.Model.Layers[1];
        var traces = ChartJson.Traces(Plot.WeightHistogram(dense));
        Assert.Equal(["kernel", "bias"], traces.Select(tr => ((string)tr!["name"]!).Split(' ')[0]));
        Assert.Equal(dense.ParameterCount, traces.Sum(tr => tr!["x"]!.AsArray().Count));
        using var batch = t.Test.X[..50];
        var act = ChartJson.Traces(Plot.ActivationHistogram(t.Model, dense.Name!, batch)).Single();
        Assert.Equal(50 * 32, act!["x"]!.AsArray().Count);
        Assert.All(act["x"]!.AsArray(), v => Assert.True(v!.GetValue<double>() >= 0)); // relu
        Assert.Throws<ArgumentException>(() => Plot.ActivationHistogram(t.Model, "nope", batch));
    }
}
