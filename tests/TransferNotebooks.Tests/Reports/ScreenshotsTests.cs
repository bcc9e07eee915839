using TransferNotebooks.Charts;
using TransferNotebooks.Data;
using TransferNotebooks.Frames;
using TransferNotebooks.Models;
using TransferNotebooks.Reports;
using TransferNotebooks.Training;
using TransferNotebooks.Training.Callbacks;
using static TransferNotebooks.Keras;
using static TorchSharp.torch;

namespace TransferNotebooks.Tests.Reports;

/// <summary>
/// Renders the docs/images screenshots from real training on the MNIST fixture. Runs only when TN_SCREENSHOTS names an output
/// folder (and Chromium is installed): <c>TN_SCREENSHOTS=$PWD/docs/images dotnet test -c Release --no-build --filter Screenshots</c>.
/// </summary>
public class ScreenshotsTests
{
    sealed class StepDecay(Sequential model, int atEpoch, double factor) : Callback
    {
        public override void OnEpochBegin(int epoch, Logs logs)
        {
            if (epoch == atEpoch) model.Optimizer.LearningRate *= factor;
        }
    }

    static Sequential Base()
    {
        var m = new Sequential(Flatten(inputShape: [28, 28]), Dense(128, activation: "relu"), Dense(64, activation: "relu"), Dense(5, activation: "softmax"));
        m.Compile(optimizer: "adam", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
        return m;
    }

    [Fact]
    public void Screenshots()
    {
        var dir = Environment.GetEnvironmentVariable("TN_SCREENSHOTS");
        if (string.IsNullOrEmpty(dir) || !ChartImage.IsAvailable) return;
        Directory.CreateDirectory(dir);
        using var train = Fixtures.MnistTrain();
        using var test = Fixtures.MnistTest();

        // 1. An MLP on all ten digits, with a step decay of the learning rate.
        manual_seed(42);
        using var mlp = new Sequential([Flatten(inputShape: [28, 28]), Dense(128, activation: "relu"), Dropout(0.2), Dense(10, activation: "softmax")], name: "mlp");
        mlp.Compile(optimizer: "adam", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
        var history = mlp.Fit(train, epochs: 10, batchSize: 64, validationSplit: 0.15, seed: 1, verbose: 0, callbacks: [new StepDecay(mlp, 6, 0.3)]);
        var curves = Plot.LearningCurves(history, title: "MLP on MNIST (4,000 digits)");
        ChartImage.SavePng(curves, Path.Combine(dir, "learning-curves.png"));

        var predictions = Predictions.Of(mlp, test);
        var cm = ConfusionMatrix.Compute(mlp, test);
        ChartImage.SavePng(Plot.ConfusionMatrix(cm), Path.Combine(dir, "confusion-matrix.png"));
        ChartImage.SavePng(Plot.ConfusionMatrix(cm, normalize: true), Path.Combine(dir, "confusion-matrix-normalized.png"));
        var predicted = predictions.Select(p => p.Predicted).ToArray();
        ChartImage.SavePng(Plot.ImageGrid(test, predicted, count: 24, columns: 8), Path.Combine(dir, "digit-grid.png"));
        ChartImage.SavePng(Plot.TopLosses(test, predictions, count: 9, columns: 3), Path.Combine(dir, "top-losses.png"));
        ChartImage.SavePng(Plot.WeightHistogram(mlp.Layers[1]), Path.Combine(dir, "weight-histogram.png"));

        // 2. Transfer: a base trained on digits 0-4, reused for digits 5-9 with 20 labelled samples per class.
        manual_seed(3);
        using var low = train.WhereLabel([0, 1, 2, 3, 4], remap: true);
        using var baseModel = Base();
        baseModel.Fit(low, epochs: 5, batchSize: 64, seed: 1, verbose: 0);
        var baseWeights = baseModel.SnapshotWeights();
        using var highAll = train.WhereLabel([5, 6, 7, 8, 9], remap: true);
        using var few = highAll.TakePerClass(20, seed: 5);
        using var highTest = test.WhereLabel([5, 6, 7, 8, 9], remap: true);

        manual_seed(4);
        using var scratch = Base();
        var hScratch = scratch.Fit(few, epochs: 15, batchSize: 16, validationData: highTest, seed: 1, verbose: 0);

        using var frozen = Base();
        frozen.RestoreWeights(baseWeights);
        frozen.Pop().Dispose();
        manual_seed(5);
        frozen.Add(Dense(5, activation: "softmax", name: "head"));
        frozen.Freeze(upTo: 3);
        frozen.Compile(optimizer: "adam", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
        var hFrozen = frozen.Fit(few, epochs: 15, batchSize: 16, validationData: highTest, seed: 1, verbose: 0);

        var headWeights = frozen.SnapshotWeights();
        frozen.Unfreeze();
        frozen.Optimizer.LearningRate = 1e-4;
        var hFine = frozen.Fit(few, epochs: 15, batchSize: 16, validationData: highTest, seed: 1, verbose: 0);
        foreach (var t in baseWeights.Values.Concat(headWeights.Values)) t.Dispose();

        var runs = new Dictionary<string, History> { ["scratch"] = hScratch, ["frozen"] = hFrozen, ["fine-tune"] = hFine };
        var comparison = Plot.Compare(runs, title: "Digits 5-9 from 20 labels per class: scratch vs transfer");
        ChartImage.SavePng(comparison, Path.Combine(dir, "comparison.png"));

        // 3. The report.
        var evaluation = mlp.Evaluate(test);
        var report = new Report("MNIST transfer", "TransferNotebooks demo report · MNIST fixture (4,000 training / 1,000 test digits)")
            .AddSummary(("test accuracy (MLP)", $"{evaluation.Accuracy:P1}"), ("test loss", $"{evaluation.Loss:0.000}"),
                ("fine-tune val accuracy", $"{hFine["val_accuracy"].Max():P1}"), ("scratch val accuracy", $"{hScratch["val_accuracy"].Max():P1}"))
            .AddHeading("Model")
            .AddTable(mlp.Summary())
            .AddHeading("Training")
            .AddText("A two-layer perceptron trained for 10 epochs with Adam; the learning rate drops to 30% at epoch 7.")
            .AddChart(curves, "Loss and accuracy per epoch; the dotted red line marks the epoch with the lowest validation loss.")
            .AddTable(history.ToFrame(), caption: "History", rowKeyName: "epoch")
            .AddHeading("Test set")
            .AddTable(ClassificationReport.Compute(mlp, test))
            .AddChart(Plot.ConfusionMatrix(cm))
            .AddChart(Plot.TopLosses(test, predictions))
            .AddHeading("Transfer to digits 5-9")
            .AddText("A base trained on digits 0-4, reused with 20 labelled samples per class of digits 5-9: trained from scratch, with the base frozen, then fine-tuned.")
            .AddChart(comparison)
            .AddTable(new Dictionary<string, EvaluationResult>
            {
                ["scratch"] = scratch.Evaluate(highTest), ["fine-tune"] = frozen.Evaluate(highTest),
            }.ToFrame(), caption: "Digits 5-9 test set");
        var path = report.Save(Path.Combine(Path.GetTempPath(), "tn-screenshots", "report.html"));
        ChartImage.Screenshot(path, Path.Combine(dir, "report.png"), width: 1240, height: 2400);
    }
}
