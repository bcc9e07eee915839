using System.Globalization;
using TransferNotebooks.Training.Callbacks;
using TransferNotebooks.Transfer;

namespace TransferNotebooks.Tests.Training.Callbacks;

public class FineTuneCallbacksTests
{
    [Fact]
    public void Callbacks_see_both_phases_of_FineTune_as_one_run()
    {
        var dir = Small.TempDir();
        try
        {
            using var train = Small.Train(200);
            using var val = Small.Val(100);
            using var m = Small.Mlp();
            var path = Path.Combine(dir, "ft.csv");
            var epochs = new List<int>();
            var ckpt = new ModelCheckpoint(Path.Combine(dir, "best.tnmodel"), saveBestOnly: true, saveWeightsOnly: true);
            var result = m.FineTune(train, epochs: 2, freezeEpochs: 1, batchSize: 50, validationData: val, seed: 1,
                callbacks: [new CSVLogger(path), new LambdaCallback(onEpochEnd: (e, _) => epochs.Add(e)), ckpt], verbose: 0);

            Assert.Equal([0, 1, 2], epochs);
            var lines = File.ReadAllLines(path);
            Assert.Equal(4, lines.Length); // one header, both phases' rows
            Assert.Equal(["0", "1", "2"], lines.Skip(1).Select(l => l.Split(',')[0]));
            var all = result.Combined;
            Assert.Equal(all["val_loss"].Min(), ckpt.Best); // the best is tracked across phases
            Assert.Equal(all["val_loss"][2], double.Parse(lines[3].Split(',')[3], CultureInfo.InvariantCulture));
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}
