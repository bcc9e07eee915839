using TransferNotebooks.Models;
using TransferNotebooks.Optimizers;
using TransferNotebooks.Transfer;
using static TransferNotebooks.Keras;
using static TorchSharp.torch;

namespace TransferNotebooks.Tests.Transfer;

public class TransferTests
{
    static Sequential Base(Optimizer optimizer)
    {
        manual_seed(11);
        var m = new Sequential(Conv2D(4, 3, activation: "relu", inputShape: [28, 28, 1]), BatchNormalization(), MaxPooling2D(), Flatten(),
            Dense(32, activation: "relu"), Dense(10, activation: "softmax"));
        m.Compile(optimizer: optimizer, loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
        return m;
    }

    public static TheoryData<string> Optimizers => new() { "adam", "adamw", "sgd-momentum", "rmsprop", "adagrad" };

    [Theory]
    [MemberData(nameof(Optimizers))]
    public void Frozen_weights_are_bit_identical_after_fit_even_with_momentum_and_weight_decay(string name)
    {
        Optimizer opt = name == "sgd-momentum" ? new Sgd(0.05, momentum: 0.9, nesterov: true) : name;
        using var data = Fixtures.MnistTrain().Take(256);
        using var m = Base(opt);
        m.Fit(data, epochs: 1, verbose: 0, seed: 2); // optimizer state exists for every weight now
        m.Freeze(upTo: -2);
        var before = m.SnapshotWeights();
        m.Fit(data, epochs: 2, verbose: 0, seed: 3);
        foreach (var l in m.Layers.Take(4))
            foreach (var (w, value, _) in l.Weights)
                Assert.True(value.allclose(before[$"{l.Name}/{w}"], 0, 0), $"{l.Name}/{w} moved");
        Assert.Equal(0.0, m.DriftOf(m.Layers[0]));
        Assert.False(m.Layers[-1].Weights.All(w => w.Value.allclose(before[$"{m.Layers[-1].Name}/{w.Name}"], 0, 0)), "the head must train");
    }

    [Fact]
    public void A_new_head_on_a_frozen_pretrained_base_trains_on_new_classes()
    {
        using var all = Fixtures.MnistTrain();
        using var first = all.WhereLabel([0, 1, 2, 3, 4]);
        using var second = all.WhereLabel([5, 6, 7, 8, 9], remap: true);
        using var test = Fixtures.MnistTest().WhereLabel([5, 6, 7, 8, 9], remap: true);
        using var m = Base("adam");
        m.Fit(first, epochs: 3, batchSize: 64, verbose: 0, seed: 1);
        m.Freeze();
        m.ReplaceHead(5);
        Assert.Equal(5, m.OutputShape![0]);
        Assert.Equal(165, m.Summary().TrainableParameters);
        m.Fit(second.TakePerClass(100, seed: 1), epochs: 15, batchSize: 32, verbose: 0, seed: 1);
        var acc = m.Evaluate(test).Accuracy;
        Assert.True(acc > 0.45, $"frozen features + new head reached only {acc:P1} on digits 5-9");
    }

    [Fact]
    public void FineTune_trains_the_head_then_everything_and_restores_flags_and_multipliers()
    {
        using var data = Fixtures.MnistTrain().WhereLabel([5, 6, 7, 8, 9], remap: true).TakePerClass(40, seed: 2);
        using var m = Base("adam");
        m.ReplaceHead(5);
        var baseBefore = m.SnapshotWeights();
        var result = m.FineTune(data, epochs: 2, freezeEpochs: 2, verbose: 0, seed: 4);
        Assert.Equal(2, result.HeadPhase.Count);
        Assert.Equal(2, result.FullPhase.Count);
        Assert.Equal([0, 1, 2, 3], result.Combined.Epochs);
        Assert.True(result.FullPhase["learning_rate"][0] < result.HeadPhase["learning_rate"][0]);
        Assert.False(m.Layers[0].Weights[0].Value.allclose(baseBefore["conv2d/kernel"], 0, 0), "the full phase trains the base");
        Assert.All(m.Layers, l => Assert.True(l.Trainable));
        Assert.All(m.Layers, l => Assert.Equal(1.0, l.LearningRateMultiplier));
    }

    [Fact]
    public void Discriminative_multipliers_rise_geometrically_to_the_head()
    {
        using var m = Base("adam");
        FineTuning.SetDiscriminativeMultipliers(m, 0.01);
        var mults = m.Layers.Select(l => l.LearningRateMultiplier).ToArray();
        Assert.Equal(0.01, mults[0], 6);
        Assert.Equal(1.0, mults[^1], 6);
        Assert.True(mults.Zip(mults.Skip(1)).All(p => p.First < p.Second));
    }

    [Fact]
    public void Comparison_evaluates_every_arm_on_the_same_test_set()
    {
        using var test = Fixtures.MnistTest().Take(200);
        using var train = Fixtures.MnistTrain().Take(300);
        var cmp = new Comparison(test);
        cmp.Run("tiny", () => { var m = new Sequential(Flatten(inputShape: [28, 28]), Dense(10, activation: "softmax")); m.Compile("adam", "sparse_categorical_crossentropy", ["accuracy"]); return m; },
            m => m.Fit(train, epochs: 2, verbose: 0, seed: 1));
        Assert.Single(cmp.Rows);
        Assert.InRange(cmp.Rows[0].Accuracy, 0.3, 1.0);
        Assert.Contains("tiny", cmp.ToString());
        Assert.Equal(2, cmp.Histories["tiny"].Count);
    }
}
