using TransferNotebooks.Training.Callbacks;
using static TorchSharp.torch;

namespace TransferNotebooks.Tests.Training.Callbacks;

public class EarlyStoppingTests
{
    [Fact]
    public void Stops_patience_epochs_after_the_best_and_restores_the_best_weights_bit_for_bit()
    {
        using var train = Small.Train(200);
        using var val = Small.Val(300);
        using var m = Small.Mlp(optimizer: new TransferNotebooks.Optimizers.Adam(0.01), hidden: 64);
        var snapshots = new List<IReadOnlyDictionary<string, Tensor>>();
        var record = new LambdaCallback(onEpochEnd: (_, _) => snapshots.Add(m.SnapshotWeights()));
        var es = new EarlyStopping(monitor: "val_loss", patience: 2, restoreBestWeights: true);
        try
        {
            // record runs before EarlyStopping, so it sees the same end-of-epoch weights.
            var h = m.Fit(train, epochs: 40, batchSize: 32, validationData: val, seed: 1, callbacks: [record, es], verbose: 0);

            // The Keras rule, replayed on what the callback saw.
            var losses = h["val_loss"];
            double? best = null; int bestEpoch = -1, wait = 0, stop = -1;
            for (int e = 0; e < losses.Count; e++)
            {
                wait++;
                if (best is null || losses[e] < best) { best = losses[e]; bestEpoch = e; wait = 0; continue; }
                if (wait >= 2) { stop = e; break; }
            }
            Assert.True(stop > 0 && stop < 39, $"val_loss should rise on 200 samples well before 40 epochs: {string.Join(", ", losses)}");
            Assert.Equal(stop + 1, h.Count);
            Assert.Equal(stop, es.StoppedEpoch);
            Assert.Equal(bestEpoch, es.BestEpoch);
            Assert.Equal(stop - 2, bestEpoch);
            Assert.NotEqual(bestEpoch, h.Count - 1);

            using var scope = NewDisposeScope();
            var now = m.SnapshotWeights();
            Assert.True(Small.SameWeights(now, snapshots[bestEpoch]), "weights must be those at the end of the best epoch");
            Assert.False(Small.SameWeights(now, snapshots[^1]), "the last epoch's weights differ from the best");
            foreach (var t in now.Values) t.Dispose();
        }
        finally { Small.Dispose(snapshots); }
    }

    [Fact]
    public void Waits_for_startFromEpoch_and_counts_minDelta()
    {
        using var train = Small.Train(200);
        using var m = Small.Mlp();
        // No later epoch improves the loss by 10, so the first watched epoch stays best and patience 1 stops one epoch later.
        var es = new EarlyStopping(monitor: "loss", minDelta: 10, patience: 1, startFromEpoch: 2);
        var h = m.Fit(train, epochs: 10, batchSize: 50, seed: 1, callbacks: [es], verbose: 0);
        Assert.Equal(4, h.Count);
        Assert.Equal(3, es.StoppedEpoch);
        Assert.Equal(2, es.BestEpoch);
    }

    [Fact]
    public void A_missing_monitor_warns_once_and_lists_what_exists()
    {
        using var train = Small.Train(200);
        using var m = Small.Mlp();
        var log = new StringWriter();
        var es = new EarlyStopping(monitor: "val_acc", patience: 0, log: log);
        var h = m.Fit(train, epochs: 3, batchSize: 50, validationSplit: 0.2, seed: 1, callbacks: [es], verbose: 0);
        Assert.Equal(3, h.Count);
        var text = log.ToString();
        Assert.Equal(1, text.Split("Warning").Length - 1);
        Assert.Contains("'val_acc'", text);
        Assert.Contains("val_accuracy", text);
        Assert.Contains("val_loss", text);
    }

    [Theory]
    [InlineData("val_accuracy", true)]
    [InlineData("accuracy", true)]
    [InlineData("sparse_categorical_accuracy", true)]
    [InlineData("val_auc", true)]
    [InlineData("precision", true)]
    [InlineData("val_recall", true)]
    [InlineData("val_loss", false)]
    [InlineData("mae", false)]
    [InlineData("mean_squared_error", false)]
    public void Auto_mode_maximises_accuracy_like_names_and_minimises_the_rest(string monitor, bool maximize)
    {
        Assert.Equal(maximize, MonitorCallback.IsMaximizedByDefault(monitor));
        Assert.Equal(maximize, new EarlyStopping(monitor: monitor).Maximize);
        Assert.False(new EarlyStopping(monitor: monitor, mode: "min").Maximize);
        Assert.True(new EarlyStopping(monitor: monitor, mode: "max").Maximize);
    }

    [Fact]
    public void IsImprovement_respects_direction_and_minDelta()
    {
        var min = new EarlyStopping(monitor: "val_loss", minDelta: 0.1);
        Assert.True(min.IsImprovement(5, null));
        Assert.True(min.IsImprovement(0.8, 1.0));
        Assert.False(min.IsImprovement(0.95, 1.0));
        Assert.False(min.IsImprovement(double.NaN, null));
        var max = new EarlyStopping(monitor: "val_accuracy", minDelta: -0.01); // sign ignored, as Keras
        Assert.True(max.IsImprovement(0.92, 0.9));
        Assert.False(max.IsImprovement(0.905, 0.9));
        Assert.Throws<ArgumentException>(() => new EarlyStopping(mode: "biggest"));
    }
}
