using TransferNotebooks.Models;
using static TransferNotebooks.Keras;
using static TorchSharp.torch;

namespace TransferNotebooks.Tests.Layers;

public class RandomImageLayerTests
{
    static Sequential Model(bool augment)
    {
        manual_seed(5);
        var m = augment
            ? new Sequential(RandomFlip(seed: 1, inputShape: [6, 6, 1]), RandomContrast(0.5, seed: 2), Flatten(), Dense(2, activation: "softmax"))
            : new Sequential(Flatten(inputShape: [6, 6, 1]), Dense(2, activation: "softmax"));
        m.Compile(optimizer: "sgd", loss: "sparse_categorical_crossentropy");
        return m;
    }

    [Fact]
    public void Augmentation_acts_inside_Fit_and_not_in_Predict()
    {
        using var x = ImageBatches.Random(16, 6, 6, 1);
        using var y = tensor(Enumerable.Range(0, 16).Select(i => (long)(i % 2)).ToArray());
        using var plain = Model(augment: false);
        using var augmented = Model(augment: true);
        using (var before = augmented.Predict(x))
        using (var reference = plain.Predict(x))
            Assert.True(before.allclose(reference, 1e-5, 1e-6), "the same initial weights: the random layers must not change inference");
        plain.Fit(x, y, epochs: 2, batchSize: 8, seed: 3, verbose: 0);
        augmented.Fit(x, y, epochs: 2, batchSize: 8, seed: 3, verbose: 0);
        var plainKernel = plain.Layers[^1].Weights[0].Value;
        var augmentedKernel = augmented.Layers[^1].Weights[0].Value;
        Assert.False(plainKernel.allclose(augmentedKernel, 1e-4, 1e-6), "training on flipped, contrast-changed images must move the weights differently");
        using var first = augmented.Predict(x);
        using var second = augmented.Predict(x);
        Assert.True(first.equal(second).all().item<bool>(), "prediction must be deterministic (augmentation off)");
    }

    [Fact]
    public void Without_a_seed_the_global_torch_seed_repeats_the_augmentations()
    {
        using var x = ImageBatches.Random(8, 3, 6, 6);
        Tensor Run()
        {
            var layer = new TransferNotebooks.Layers.RandomRotation([0.3]);
            using var first = layer.Call(x, training: true);
            return layer.Call(x, training: true);
        }
        manual_seed(17);
        using var a = Run();
        manual_seed(17);
        using var b = Run();
        manual_seed(18);
        using var c = Run();
        Assert.True(a.equal(b).all().item<bool>(), "the same global seed must give the same augmentations");
        Assert.False(a.allclose(c, 1e-3, 1e-2), "another global seed should give other augmentations");
    }

    [Fact]
    public void Non_image_input_is_refused_with_the_fix()
    {
        var e = Assert.Throws<ArgumentException>(() => new Sequential(RandomFlip(inputShape: [28, 28])));
        Assert.Contains("[28, 28, 1]", e.Message);
    }
}
