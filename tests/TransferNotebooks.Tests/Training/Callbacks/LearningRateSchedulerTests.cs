using TransferNotebooks.Training.Callbacks;

namespace TransferNotebooks.Tests.Training.Callbacks;

public class LearningRateSchedulerTests
{
    [Fact]
    public void Step_schedule_sets_the_rate_each_epoch_and_History_records_it()
    {
        using var train = Small.Train(200);
        using var m = Small.Mlp(optimizer: "sgd");
        var h = m.Fit(train, epochs: 5, batchSize: 50, seed: 1, callbacks: [LearningRateScheduler.Step(0.1, dropEvery: 2, factor: 0.5)], verbose: 0);
        double[] expected = [0.1, 0.1, 0.05, 0.05, 0.025];
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], h["learning_rate"][i], 12);
    }

    [Fact]
    public void A_lambda_schedule_sees_the_epoch_and_current_rate()
    {
        using var train = Small.Train(100);
        using var m = Small.Mlp(optimizer: "sgd");
        var seen = new List<(int, double)>();
        var cb = new LearningRateScheduler((epoch, lr) => { seen.Add((epoch, lr)); return lr * 0.9; });
        var h = m.Fit(train, epochs: 3, batchSize: 50, callbacks: [cb], verbose: 0);
        Assert.Equal([0, 1, 2], seen.Select(s => s.Item1));
        Assert.Equal(0.01, seen[0].Item2, 12);
        Assert.Equal(0.009, h["learning_rate"][0], 12);
        Assert.Equal(0.00729, h["learning_rate"][2], 12);
        Assert.Throws<InvalidOperationException>(() => m.Fit(train, epochs: 1, callbacks: [new LearningRateScheduler((_, _) => 0)], verbose: 0));
    }

    [Fact]
    public void Cosine_warms_up_then_decays_to_alpha()
    {
        var f = LearningRateScheduler.Cosine(0.1, decayEpochs: 4, alpha: 0.1, warmupEpochs: 2).Schedule;
        Assert.Equal(0.05, f(0, 1), 12);
        Assert.Equal(0.1, f(1, 1), 12);
        Assert.Equal(0.1, f(2, 1), 12);           // decay starts at the peak
        Assert.Equal(0.1 * (0.9 * 0.5 + 0.1), f(4, 1), 12); // halfway: half of the way down to alpha
        Assert.Equal(0.01, f(6, 1), 12);          // the end: alpha * peak
        Assert.Equal(0.01, f(50, 1), 12);         // and it stays there
        var plain = LearningRateScheduler.Cosine(1, decayEpochs: 10).Schedule;
        Assert.True(plain(10, 1) > 0, "never exactly zero: optimizers reject a zero rate");
    }
}
