using System.Globalization;
using TransferNotebooks.Models;
using TransferNotebooks.Training.Callbacks;

namespace TransferNotebooks.Tests.Training.Callbacks;

public class ModelCheckpointTests
{
    [Fact]
    public void SaveBestOnly_keeps_the_best_model_which_loads_with_identical_predictions()
    {
        var dir = Small.TempDir();
        try
        {
            using var train = Small.Train(200);
            using var val = Small.Val(300);
            using var m = Small.Mlp(optimizer: new TransferNotebooks.Optimizers.Adam(0.01), hidden: 64);
            var predictions = new List<float[]>();
            var record = new LambdaCallback(onEpochEnd: (_, _) => { using var p = m.Predict(val.X); predictions.Add(p.data<float>().ToArray()); });
            var path = Path.Combine(dir, "best.tnmodel");
            var ckpt = new ModelCheckpoint(path, monitor: "val_loss", saveBestOnly: true);
            var h = m.Fit(train, epochs: 12, batchSize: 32, validationData: val, seed: 1, callbacks: [record, ckpt], verbose: 0);

            var losses = h["val_loss"];
            int best = Enumerable.Range(0, losses.Count).MinBy(i => losses[i]);
            Assert.True(best < losses.Count - 1, "the setup should overfit so that the last epoch is not the best");
            Assert.Equal([Path.GetFileName(path)], Directory.GetFiles(dir).Select(Path.GetFileName)); // one file, no temporary left over
            Assert.Equal(losses[best], ckpt.Best);

            using var loaded = Model.Load(path);
            using var p = loaded.Predict(val.X);
            Assert.Equal(predictions[best], p.data<float>().ToArray());
            Assert.NotEqual(predictions[^1], p.data<float>().ToArray());
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void A_templated_path_writes_one_file_per_improvement_named_by_epoch_and_metric()
    {
        var dir = Small.TempDir();
        try
        {
            using var train = Small.Train(200);
            using var val = Small.Val(300);
            using var m = Small.Mlp(optimizer: new TransferNotebooks.Optimizers.Adam(0.01), hidden: 64);
            var ckpt = new ModelCheckpoint(Path.Combine(dir, "ckpt-{epoch:02d}-{val_loss:.3f}.tnmodel"), saveBestOnly: true, saveWeightsOnly: true);
            var h = m.Fit(train, epochs: 8, batchSize: 32, validationData: val, seed: 1, callbacks: [ckpt], verbose: 0);

            var expected = new List<string>();
            double bestSoFar = double.PositiveInfinity;
            for (int e = 0; e < h.Count; e++)
                if (h["val_loss"][e] < bestSoFar)
                {
                    bestSoFar = h["val_loss"][e];
                    expected.Add(string.Create(CultureInfo.InvariantCulture, $"ckpt-{e + 1:00}-{h["val_loss"][e]:0.000}.tnmodel"));
                }
            Assert.True(expected.Count < h.Count, "some epoch should not improve");
            Assert.Equal(expected.Order(), Directory.GetFiles(dir).Select(f => Path.GetFileName(f)!).Order());
            Assert.Equal(expected, ckpt.SavedPaths.Select(f => Path.GetFileName(f)));

            // Weights-only files load into a model of the same shape.
            using var fresh = Small.Mlp(hidden: 64, seed: 9);
            fresh.LoadWeights(ckpt.SavedPaths[^1]);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void Without_saveBestOnly_every_epoch_is_saved_and_a_bad_template_fails_early()
    {
        var dir = Small.TempDir();
        try
        {
            using var train = Small.Train(100);
            using var m = Small.Mlp();
            var ckpt = new ModelCheckpoint(Path.Combine(dir, "e{epoch}.tnmodel"));
            m.Fit(train, epochs: 3, batchSize: 50, callbacks: [ckpt], verbose: 0);
            Assert.Equal(["e1.tnmodel", "e2.tnmodel", "e3.tnmodel"], Directory.GetFiles(dir).Select(f => Path.GetFileName(f)!).Order());
            Assert.Throws<FormatException>(() => new ModelCheckpoint(Path.Combine(dir, "e{epoch:.3q}.tnmodel")));
            Assert.Throws<FormatException>(() => new ModelCheckpoint(Path.Combine(dir, "e{epoch.tnmodel")));
            var typo = new ModelCheckpoint(Path.Combine(dir, "e{val_los:.2f}.tnmodel"));
            var error = Assert.Throws<KeyNotFoundException>(() => m.Fit(train, epochs: 1, batchSize: 50, validationSplit: 0.2, callbacks: [typo], verbose: 0));
            Assert.Contains("val_loss", error.Message);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}
