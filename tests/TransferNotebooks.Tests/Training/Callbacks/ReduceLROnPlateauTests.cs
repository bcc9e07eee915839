using TransferNotebooks.Training.Callbacks;

namespace TransferNotebooks.Tests.Training.Callbacks;

public class ReduceLROnPlateauTests
{
    [Fact]
    public void Reduces_the_learning_rate_on_a_plateau_and_History_shows_it()
    {
        using var train = Small.Train(200);
        using var m = Small.Mlp(); // adam, 0.001
        // minDelta 10: after the first epoch nothing counts as an improvement, so every epoch past patience is a plateau.
        var cb = new ReduceLROnPlateau(monitor: "loss", factor: 0.5, patience: 1, minDelta: 10, minLr: 3e-4);
        var h = m.Fit(train, epochs: 5, batchSize: 50, seed: 1, callbacks: [cb], verbose: 0);
        double[] expected = [1e-3, 1e-3, 5e-4, 3e-4, 3e-4]; // reduced at the end of epochs 1 and 2, then floored at minLr
        Assert.Equal(expected.Length, h["learning_rate"].Count);
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], h["learning_rate"][i], 12);
        Assert.Equal([1, 2], cb.Reductions);
        Assert.Equal(3e-4, m.Optimizer.LearningRate, 12);
    }

    [Fact]
    public void Cooldown_pauses_counting_after_a_reduction()
    {
        using var train = Small.Train(200);
        using var m = Small.Mlp();
        var cb = new ReduceLROnPlateau(monitor: "loss", factor: 0.1, patience: 1, minDelta: 10, cooldown: 2);
        var h = m.Fit(train, epochs: 6, batchSize: 50, seed: 1, callbacks: [cb], verbose: 0);
        // Keras's counting: reduce at epoch 1; cooldown 2 -> epoch 2 rests, epoch 3 counts and reduces again; epoch 4 rests, 5 reduces.
        Assert.Equal([1, 3, 5], cb.Reductions);
        Assert.Equal(1e-4, h["learning_rate"][2], 12);
        Assert.Equal(1e-5, h["learning_rate"][4], 12);
    }

    [Fact]
    public void A_real_plateau_on_validation_loss_lowers_the_rate()
    {
        using var train = Small.Train(200);
        using var val = Small.Val(300);
        using var m = Small.Mlp(optimizer: new TransferNotebooks.Optimizers.Adam(0.01), hidden: 64);
        var cb = new ReduceLROnPlateau(patience: 1, factor: 0.2);
        var h = m.Fit(train, epochs: 15, batchSize: 32, validationData: val, seed: 1, callbacks: [cb], verbose: 0);
        Assert.NotEmpty(cb.Reductions);
        Assert.Equal(0.01, h["learning_rate"][0], 12);
        Assert.True(h["learning_rate"][^1] < 0.01);
        Assert.Equal(0.002, h["learning_rate"][cb.Reductions[0] + 1], 12);
    }
}
