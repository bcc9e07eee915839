using System.Globalization;
using TransferNotebooks.Training;
using TransferNotebooks.Training.Callbacks;

namespace TransferNotebooks.Tests.Training.Callbacks;

public class CSVLoggerTests
{
    static List<string[]> Rows(string path, string separator) =>
        File.ReadAllLines(path).Where(l => l.Length > 0).Select(l => l.Split(separator)).ToList();

    static void AssertMatches(History h, string[] header, IEnumerable<string[]> rows)
    {
        var list = rows.ToList();
        Assert.Equal(h.Count, list.Count);
        for (int i = 0; i < h.Count; i++)
        {
            Assert.Equal(h.Epochs[i], int.Parse(list[i][0], CultureInfo.InvariantCulture));
            for (int c = 1; c < header.Length; c++)
                Assert.Equal(h[header[c]][i], double.Parse(list[i][c], CultureInfo.InvariantCulture)); // exact: round-trip formatting
        }
    }

    [Fact]
    public void The_file_parses_and_matches_History_exactly_and_append_mode_appends()
    {
        var dir = Small.TempDir();
        try
        {
            var path = Path.Combine(dir, "logs", "training.csv"); // folder created on demand
            using var train = Small.Train(200);
            using var m = Small.Mlp();
            var h1 = m.Fit(train, epochs: 3, batchSize: 50, validationSplit: 0.2, seed: 1, callbacks: [new CSVLogger(path, separator: ";")], verbose: 0);

            var rows = Rows(path, ";");
            var header = rows[0];
            Assert.Equal(["epoch", "loss", "accuracy", "val_loss", "val_accuracy", "learning_rate"], header);
            Assert.Equal(4, rows.Count);
            AssertMatches(h1, header, rows.Skip(1));

            var h2 = m.Fit(train, epochs: 5, initialEpoch: 3, batchSize: 50, validationSplit: 0.2, seed: 1, callbacks: [new CSVLogger(path, separator: ";", append: true)], verbose: 0);
            rows = Rows(path, ";");
            Assert.Equal(6, rows.Count);                           // one header, 3 + 2 rows
            Assert.Equal(1, rows.Count(r => r[0] == "epoch"));      // header written once
            AssertMatches(h1.Concat(h2), header, rows.Skip(1));
            Assert.Equal([0, 1, 2, 3, 4], rows.Skip(1).Select(r => int.Parse(r[0], CultureInfo.InvariantCulture)));

            m.Fit(train, epochs: 1, batchSize: 50, callbacks: [new CSVLogger(path, separator: ";")], verbose: 0);
            rows = Rows(path, ";");
            Assert.Equal(2, rows.Count); // without append the file starts afresh
            Assert.Equal(["epoch", "loss", "accuracy", "learning_rate"], rows[0]);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void Each_epoch_is_on_disk_before_the_next_starts()
    {
        var dir = Small.TempDir();
        try
        {
            var path = Path.Combine(dir, "t.csv");
            using var train = Small.Train(100);
            using var m = Small.Mlp();
            var linesAtEpochStart = new List<int>();
            var probe = new LambdaCallback(onEpochBegin: (_, _) => linesAtEpochStart.Add(File.Exists(path) ? File.ReadAllLines(path).Length : 0));
            m.Fit(train, epochs: 3, batchSize: 50, callbacks: [new CSVLogger(path), probe], verbose: 0);
            Assert.Equal([0, 2, 3], linesAtEpochStart);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}
