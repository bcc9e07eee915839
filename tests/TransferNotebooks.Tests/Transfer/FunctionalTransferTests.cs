using TransferNotebooks.Layers;
using TransferNotebooks.Models;
using TransferNotebooks.Optimizers;
using TransferNotebooks.Transfer;
using static TransferNotebooks.Keras;
using static TorchSharp.torch;

namespace TransferNotebooks.Tests.Transfer;

/// <summary>
/// The transfer-learning loop on graph models: Keras's pattern (the pretrained model called as a frozen layer in inference mode),
/// FineTune and ReplaceHead on a Functional, and the common model type that Model.Load returns.
/// </summary>
public class FunctionalTransferTests
{
    /// <summary>A small CNN trained on the digits 0-4 (the pretrained model of walkthrough 1, in miniature).</summary>
    static Sequential Pretrained(TransferNotebooks.Data.Dataset first)
    {
        manual_seed(21);
        var m = new Sequential(Conv2D(16, 3, activation: "relu", inputShape: [28, 28, 1]), MaxPooling2D(2),
            Conv2D(32, 3, activation: "relu"), MaxPooling2D(2), Flatten(), Dense(5, activation: "softmax"));
        m.Compile(optimizer: "adam", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
        m.Fit(first, epochs: 2, batchSize: 64, verbose: 0, seed: 1);
        return m;
    }

    [Fact]
    public void Keras_transfer_pattern_trains_a_new_head_around_a_frozen_pretrained_model()
    {
        using var all = Fixtures.MnistTrain();
        using var first = all.WhereLabel([0, 1, 2, 3, 4]);
        using var few = all.WhereLabel([5, 6, 7, 8, 9], remap: true).TakePerClass(40, seed: 1);
        using var test = Fixtures.MnistTest().WhereLabel([5, 6, 7, 8, 9], remap: true);
        using var pretrained = Pretrained(first);
        pretrained.Pop().Dispose(); // the 0-4 head goes; the body ends at the flattened features
        pretrained.Freeze();
        var bodyBefore = pretrained.SnapshotWeights();

        var inputs = Input([28, 28, 1]);
        var features = pretrained.Call(inputs, training: false);
        var outputs = Dense(5, activation: "softmax").Call(Dropout(0.2).Call(features));
        using var model = new Functional(inputs, outputs, name: "transfer");
        model.Compile(optimizer: new Adam(learningRate: 0.003), loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);

        var summary = model.Summary();
        var nestedRow = summary.Layers.Single(r => r.Name == pretrained.Name);
        Assert.False(nestedRow.Trainable); // the nested model shows as frozen
        Assert.Equal(32 * 5 * 5 * 5 + 5, summary.TrainableParameters);

        var before = model.Evaluate(test).Accuracy;
        model.Fit(few, epochs: 12, batchSize: 16, verbose: 0, seed: 1);
        var after = model.Evaluate(test).Accuracy;
        Assert.True(after > 0.75 && after > before + 0.4, $"frozen pretrained body + new head on digits 5-9: {before:P1} before, {after:P1} after");
        foreach (var (name, value) in pretrained.NamedWeights())
            Assert.True(value.allclose(bodyBefore[name], 0, 0), $"{name} moved although the pretrained model is frozen");
    }

    [Fact]
    public void FineTune_and_ReplaceHead_work_on_a_functional_model()
    {
        using var data = Fixtures.MnistTrain().WhereLabel([5, 6, 7, 8, 9], remap: true).TakePerClass(30, seed: 2);
        manual_seed(4);
        var inputs = Input([28, 28, 1]);
        var x = Conv2D(8, 3, activation: "relu").Call(inputs);
        var y = Conv2D(8, 3, padding: "same", activation: "relu").Call(x);
        var outputs = Dense(10, activation: "softmax", name: "head").Call(Flatten().Call(MaxPooling2D().Call(Add().Call(x, y))));
        using var model = new Functional(inputs, outputs);

        model.ReplaceHead(5);
        Assert.Equal([5], model.OutputShape);
        Assert.Equal("head", model.Layers[-1].Name);
        Assert.Equal(5, ((Dense)model.Layers[-1]).Units);
        model.Compile(optimizer: "adam", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
        var convBefore = model.Layers["conv2d"].Weights[0].Value.detach().clone();
        var result = model.FineTune(data, epochs: 2, freezeEpochs: 1, verbose: 0, seed: 3);
        Assert.Equal([0, 1, 2], result.Combined.Epochs);
        Assert.False(model.Layers["conv2d"].Weights[0].Value.allclose(convBefore, 0, 0), "the full phase trains the base");
        Assert.All(model.Layers, l => Assert.True(l.Trainable));
        Assert.All(model.Layers, l => Assert.Equal(1.0, l.LearningRateMultiplier));

        var pool = model.Layers["max_pooling2d"];
        var notDense = new Functional(inputs, pool.Call(Add().Call(x, y)));
        var e = Assert.Throws<InvalidOperationException>(() => notDense.ReplaceHead(3));
        Assert.Contains("MaxPooling2D", e.Message);
    }

    [Fact]
    public void Model_Load_returns_the_common_type_with_the_whole_workflow_and_optimizer_state()
    {
        using var data = Fixtures.MnistTrain().Take(256);
        manual_seed(5);
        var inputs = Input([28, 28, 1]);
        var outputs = Dense(10, activation: "softmax").Call(Flatten().Call(Conv2D(4, 3, activation: "relu").Call(inputs)));
        using var model = new Functional(inputs, outputs);
        model.Compile(optimizer: "adam", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
        model.Fit(data, epochs: 1, verbose: 0, seed: 1);
        var dir = Directory.CreateTempSubdirectory("tn-functional-transfer-");
        try
        {
            var path = Path.Combine(dir.FullName, "m.tnmodel");
            model.Save(path, includeOptimizer: true);
            using KerasModel loaded = Model.Load(path);
            Assert.IsType<Functional>(loaded);
            // Saved optimizer state: one more step from the same state gives the same weights in both models.
            model.Fit(data.Take(32), epochs: 1, batchSize: 32, shuffle: false, verbose: 0);
            loaded.Fit(data.Take(32), epochs: 1, batchSize: 32, shuffle: false, verbose: 0);
            foreach (var (name, value) in model.NamedWeights())
                Assert.True(value.allclose(loaded.NamedWeights()[name], 1e-6, 1e-7), $"{name} differs after one step from the saved optimizer state");
        }
        finally { dir.Delete(recursive: true); }
    }
}
