using TransferNotebooks.Models;
using static TransferNotebooks.Keras;
using static TorchSharp.torch;

namespace TransferNotebooks.Tests;

public class RandomSeedTests
{
    static float[] NewDenseKernel()
    {
        using var model = new Sequential(Dense(4, inputShape: [3]), Dropout(0.5));
        return model.Layers[0].Weights[0].Value.data<float>().ToArray();
    }

    [Fact]
    public void The_same_seed_gives_the_same_initial_weights_and_another_seed_other_weights()
    {
        SetRandomSeed(11);
        var first = NewDenseKernel();
        SetRandomSeed(11);
        var again = NewDenseKernel();
        SetRandomSeed(12);
        var other = NewDenseKernel();
        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
    }

    [Fact]
    public void A_seeded_fit_without_its_own_seed_repeats_exactly()
    {
        float[] Run()
        {
            SetRandomSeed(3);
            using var train = Fixtures.MnistTrain().Take(256, seed: 1);
            using var model = new Sequential(Flatten(inputShape: [28, 28]), Dense(16, activation: "relu"), Dropout(0.3), Dense(10, activation: "softmax"));
            model.Compile(optimizer: "adam", loss: "sparse_categorical_crossentropy");
            model.Fit(train, epochs: 1, batchSize: 32, verbose: 0);
            using var p = model.Predict(train.X[..8]);
            return p.data<float>().ToArray();
        }
        Assert.Equal(Run(), Run());
    }
}
