using TransferNotebooks.Models;
using static TransferNotebooks.Keras;
using static TorchSharp.torch;

namespace TransferNotebooks.Tests.Models;

/// <summary>Functional models with several outputs (Keras's <c>keras.Model(inputs, [a, b])</c>): losses added, metrics per output.</summary>
public class FunctionalMultiOutputTests
{
    /// <summary>One convolutional body, two heads: the digit (10 classes) and its parity (even/odd).</summary>
    static Functional DigitAndParity(int seed = 9)
    {
        manual_seed(seed);
        var inputs = Input([28, 28, 1]);
        var features = Flatten().Call(MaxPooling2D().Call(Conv2D(8, 3, activation: "relu").Call(inputs)));
        var digit = Dense(10, activation: "softmax", name: "digit").Call(features);
        var parity = Dense(2, activation: "softmax", name: "parity").Call(features);
        var model = new Functional(inputs, [digit, parity], "digit_and_parity");
        model.Compile(optimizer: "adam", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
        return model;
    }

    [Fact]
    public void Two_heads_learn_together_with_the_losses_added_and_metrics_per_output()
    {
        using var train = Fixtures.MnistTrain();
        using var test = Fixtures.MnistTest();
        using var model = DigitAndParity();
        using var trainParity = train.Y.remainder(2);
        using var testParity = test.Y.remainder(2);

        var history = model.Fit(train.X, new[] { train.Y, trainParity }, epochs: 3, batchSize: 64, validationSplit: 0.1, verbose: 0, seed: 1);
        Assert.Contains("digit_accuracy", history.Values.Keys);
        Assert.Contains("val_parity_accuracy", history.Values.Keys);
        Assert.True(history.Values["loss"][2] < history.Values["loss"][0], "the summed loss falls");

        var result = model.Evaluate(test.X, [test.Y, testParity]);
        Assert.True(result["digit_accuracy"] > 0.85, $"digit head: {result["digit_accuracy"]:P1} (threshold 85%)");
        Assert.True(result["parity_accuracy"] > 0.88, $"parity head: {result["parity_accuracy"]:P1} (threshold 88%)");

        // The loss is the sum of the two heads' losses, each computed on its own output.
        using var few = test.X.narrow(0, 0, 64);
        var outputs = model.PredictOutputs(few);
        Assert.Equal([64L, 10L], outputs[0].shape);
        Assert.Equal([64L, 2L], outputs[1].shape);
        var loss = TransferNotebooks.Losses.LossRegistry.Get("sparse_categorical_crossentropy");
        using var digitLoss = loss.Compute(test.Y.narrow(0, 0, 64), outputs[0]);
        using var parityLoss = loss.Compute(testParity.narrow(0, 0, 64), outputs[1]);
        var summed = model.Evaluate(few, [test.Y.narrow(0, 0, 64), testParity.narrow(0, 0, 64)], batchSize: 64).Loss;
        Assert.Equal(digitLoss.item<float>() + parityLoss.item<float>(), summed, 4);
        foreach (var o in outputs) o.Dispose();
    }

    [Fact]
    public void Save_and_load_keep_the_outputs_and_one_target_tensor_is_refused()
    {
        using var test = Fixtures.MnistTest();
        using var model = DigitAndParity();
        var dir = Directory.CreateTempSubdirectory("tn-multi-output-");
        try
        {
            var path = Path.Combine(dir.FullName, "two-heads.tnmodel");
            model.Save(path);
            using var loaded = Model.Load<Functional>(path);
            Assert.Equal(["digit", "parity"], loaded.Outputs.Select(o => o.Layer!.Name));
            using var x = test.X.narrow(0, 0, 16);
            using var a = model.Predict(x);
            using var b = loaded.Predict(x);
            Assert.Equal([16L, 12L], a.shape);
            Assert.True(a.allclose(b, 0, 0));
        }
        finally { dir.Delete(recursive: true); }

        var e = Assert.Throws<ArgumentException>(() => model.Fit(test.X, test.Y, epochs: 1, verbose: 0));
        Assert.Contains("2 outputs", e.Message);
        Assert.Contains("one target tensor per output", e.Message);
        Assert.Throws<InvalidOperationException>(() => model.ReplaceHead(3));
        // ONNX export: see OnnxGraphModelTests.
        // PyTorch export writes both heads (checked against PyTorch in PyTorchMultiIOExportTests).
        var pt = Directory.CreateTempSubdirectory("tn-multi-output-pt-");
        try
        {
            model.SavePyTorch(pt.FullName);
            var script = File.ReadAllText(Path.Combine(pt.FullName, "model.py"));
            Assert.Contains("output_names = (\"digit\", \"parity\")", script);
            Assert.True(File.Exists(Path.Combine(pt.FullName, "state_dict.pt")));
        }
        finally { pt.Delete(recursive: true); }
    }
}
