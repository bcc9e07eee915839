using TransferNotebooks.Training.Callbacks;
using static TorchSharp.torch;

namespace TransferNotebooks.Tests.Training.Callbacks;

public class TerminateOnNaNTests
{
    [Fact]
    public void A_huge_learning_rate_stops_training_and_leaves_the_last_finite_weights()
    {
        using var train = Small.Train(400);
        using var m = Small.Mlp(optimizer: new TransferNotebooks.Optimizers.Sgd(0.05));
        var snapshots = new List<IReadOnlyDictionary<string, Tensor>>();
        var record = new LambdaCallback(onEpochEnd: (_, _) => snapshots.Add(m.SnapshotWeights()));
        // Two sane epochs, then a learning rate of 1e10 from epoch 3 on: the loss overflows within a few batches.
        var blowUp = new LearningRateScheduler((epoch, lr) => epoch < 2 ? 0.05 : 1e10);
        var log = new StringWriter();
        var nan = new TerminateOnNaN(log: log);
        try
        {
            var h = m.Fit(train, epochs: 6, batchSize: 20, seed: 1, callbacks: [blowUp, record, nan], verbose: 0);

            Assert.Equal(2, nan.StoppedEpoch);
            Assert.NotNull(nan.StoppedBatch);
            Assert.Equal(3, h.Count); // the stopped epoch is recorded, no later one
            Assert.True(double.IsNaN(h["loss"][2]) || double.IsInfinity(h["loss"][2]));
            var message = log.ToString();
            Assert.Contains("Epoch 3", message);
            Assert.Contains($"batch {nan.StoppedBatch + 1}/20", message);

            using var scope = NewDisposeScope();
            var now = m.SnapshotWeights();
            Assert.All(now.Values, t => Assert.True(isfinite(t).all().item<bool>()));
            Assert.Equal(2, nan.RestoredFromEpoch);
            Assert.True(Small.SameWeights(now, snapshots[1]), "the weights are those at the start of the diverging epoch (end of epoch 2)");
            using var p = m.Predict(train.X);
            Assert.True(isfinite(p).all().item<bool>());
        }
        finally { Small.Dispose(snapshots); }
    }

    [Fact]
    public void Data_scaled_by_1e30_triggers_it_in_the_first_epoch()
    {
        using var train = Small.Train(200);
        using var huge = new TransferNotebooks.Data.Dataset(train.X * 1e30f, train.Y.clone());
        using var m = Small.Mlp(optimizer: "sgd");
        var nan = new TerminateOnNaN(log: TextWriter.Null);
        var initial = m.SnapshotWeights();
        var h = m.Fit(huge, epochs: 3, batchSize: 20, callbacks: [nan], verbose: 0);
        Assert.Equal(0, nan.StoppedEpoch);
        Assert.Equal(1, h.Count);
        var now = m.SnapshotWeights();
        Assert.True(Small.SameWeights(now, initial));
    }
}
