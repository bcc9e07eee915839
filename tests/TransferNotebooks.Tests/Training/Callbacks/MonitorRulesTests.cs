using TransferNotebooks.Training;
using TransferNotebooks.Training.Callbacks;

namespace TransferNotebooks.Tests.Training.Callbacks;

/// <summary>The Keras counting rules, driven epoch by epoch with chosen values (no training needed).</summary>
public class MonitorRulesTests
{
    static int? Drive(Callback cb, TransferNotebooks.Models.Sequential m, string name, params double[] values)
    {
        cb.Model = m;
        cb.Params = new TrainingParams(values.Length, 1, 1, 0, 0, true);
        m.StopTraining = false;
        cb.OnTrainBegin(Logs.Empty);
        int? stopped = null;
        for (int e = 0; e < values.Length && stopped is null; e++)
        {
            cb.OnEpochBegin(e, Logs.Empty);
            cb.OnEpochEnd(e, new Logs(new Dictionary<string, double> { [name] = values[e] }));
            if (m.StopTraining) stopped = e;
        }
        cb.OnTrainEnd(Logs.Empty);
        return stopped;
    }

    [Fact]
    public void A_baseline_not_reached_keeps_the_patience_counter_running()
    {
        using var m = Small.Mlp();
        double[] accuracy = [0.5, 0.6, 0.7, 0.65, 0.66, 0.64];
        Assert.Equal(4, Drive(new EarlyStopping(monitor: "val_accuracy", patience: 2), m, "val_accuracy", accuracy));
        Assert.Equal(3, Drive(new EarlyStopping(monitor: "val_accuracy", patience: 2, baseline: 0.9), m, "val_accuracy", accuracy));
        Assert.Equal(4, Drive(new EarlyStopping(monitor: "val_accuracy", patience: 2, baseline: 0.55), m, "val_accuracy", accuracy));
        Assert.Null(Drive(new EarlyStopping(monitor: "val_accuracy", patience: 2, mode: "min"), m, "val_accuracy", [0.5, 0.4, 0.3, 0.2]));
    }

    [Fact]
    public void ModelCheckpoint_waits_for_initialValueThreshold_and_remembers_the_best_across_runs()
    {
        var dir = Small.TempDir();
        try
        {
            using var m = Small.Mlp();
            var log = new StringWriter();
            var ckpt = new ModelCheckpoint(Path.Combine(dir, "m-{epoch}-{val_loss:.2f}.tnmodel"), saveBestOnly: true, saveWeightsOnly: true, initialValueThreshold: 0.5, verbose: 1, log: log);
            Drive(ckpt, m, "val_loss", 0.7, 0.6, 0.4, 0.45, 0.3);
            Assert.Equal(["m-3-0.40.tnmodel", "m-5-0.30.tnmodel"], ckpt.SavedPaths.Select(p => Path.GetFileName(p)));
            Drive(ckpt, m, "val_loss", 0.35, 0.29);   // a second run: only beating 0.3 saves
            Assert.Equal("m-2-0.29.tnmodel", Path.GetFileName(ckpt.SavedPaths[^1]));
            Assert.Equal(3, ckpt.SavedPaths.Count);
            Assert.Contains("did not improve", log.ToString());
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}
