using System.Formats.Tar;
using System.IO.Compression;
using System.Text.RegularExpressions;
using TransferNotebooks.Charts;
using TransferNotebooks.Models;
using static TransferNotebooks.Keras;
using static TorchSharp.torch;

namespace TransferNotebooks.Tests.Reports;

/// <summary>
/// Renders docs/images/worst-reviews.png from a real bag-of-words sentiment model on IMDB reviews. Runs only when
/// TN_SCREENSHOTS is set and the shared IMDB archive is found (TN_IMDB, or shared/data/imdb above the repository).
/// </summary>
public partial class ImdbScreenshotTests
{
    [GeneratedRegex("[a-z']+")]
    private static partial Regex Word();

    static string? Archive()
    {
        if (Environment.GetEnvironmentVariable("TN_IMDB") is { Length: > 0 } env && File.Exists(env)) return env;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "data", "imdb", "aclImdb_v1-labelled.tar.gz");
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }

    /// <summary>Up to <paramref name="perGroup"/> reviews of each of train/pos, train/neg, test/pos, test/neg.</summary>
    static Dictionary<string, List<string>> Read(string archive, int perGroup)
    {
        var groups = new Dictionary<string, List<string>>();
        using var gz = new GZipStream(File.OpenRead(archive), CompressionMode.Decompress);
        using var tar = new TarReader(gz);
        while (tar.GetNextEntry() is { } entry)
        {
            var parts = entry.Name.Split('/');
            if (parts.Length != 4 || entry.DataStream is null || !parts[3].EndsWith(".txt", StringComparison.Ordinal)) continue;
            var key = parts[1] + "/" + parts[2];
            if (!groups.TryGetValue(key, out var list)) groups[key] = list = [];
            if (list.Count >= perGroup) continue;
            using var reader = new StreamReader(entry.DataStream);
            list.Add(reader.ReadToEnd().Replace("<br />", " ", StringComparison.Ordinal));
        }
        return groups;
    }

    [Fact]
    public void WorstReviewsScreenshot()
    {
        var dir = Environment.GetEnvironmentVariable("TN_SCREENSHOTS");
        if (string.IsNullOrEmpty(dir) || !ChartImage.IsAvailable || Archive() is not { } archive) return;
        var g = Read(archive, 1500);
        var trainTexts = g["train/pos"].Concat(g["train/neg"]).ToList();
        var trainLabels = g["train/pos"].Select(_ => 1f).Concat(g["train/neg"].Select(_ => 0f)).ToArray();
        var testTexts = g["test/pos"].Take(500).Concat(g["test/neg"].Take(500)).ToList();
        var testLabels = Enumerable.Repeat(1L, 500).Concat(Enumerable.Repeat(0L, 500)).ToArray();

        // Multi-hot bag of the 2,000 most frequent training words.
        var vocab = trainTexts.SelectMany(t => Word().Matches(t.ToLowerInvariant()).Select(m => m.Value)).GroupBy(w => w)
            .OrderByDescending(w => w.Count()).Take(2000).Select((w, i) => (w.Key, i)).ToDictionary(p => p.Key, p => p.i);
        float[] Encode(IReadOnlyList<string> texts)
        {
            var x = new float[texts.Count * vocab.Count];
            for (int i = 0; i < texts.Count; i++)
                foreach (Match m in Word().Matches(texts[i].ToLowerInvariant()))
                    if (vocab.TryGetValue(m.Value, out var j)) x[i * vocab.Count + j] = 1;
            return x;
        }
        manual_seed(11);
        using var model = new Sequential(Dense(16, activation: "relu", inputShape: [vocab.Count]), Dense(1, activation: "sigmoid"));
        model.Compile(optimizer: "adam", loss: "binary_crossentropy", metrics: ["accuracy"]);
        using var xTrain = tensor(Encode(trainTexts), [trainTexts.Count, vocab.Count]);
        using var yTrain = tensor(trainLabels, [trainLabels.Length, 1]);
        model.Fit(xTrain, yTrain, epochs: 4, batchSize: 64, seed: 1, verbose: 0);
        using var xTest = tensor(Encode(testTexts), [testTexts.Count, vocab.Count]);
        using var p = model.Predict(xTest);
        var probabilities = p.reshape(-1).to_type(ScalarType.Float64).data<double>().ToArray();
        double accuracy = probabilities.Zip(testLabels).Count(z => (z.First > 0.5 ? 1 : 0) == z.Second) / (double)testLabels.Length;

        var chart = Plot.WorstReviews(testTexts, testLabels, probabilities, count: 8, maxChars: 300,
            title: $"IMDB: the reviews a bag-of-words model got most wrong (test accuracy {accuracy:P1} on 1,000 reviews)");
        ChartImage.SavePng(chart, Path.Combine(dir, "worst-reviews.png"));
    }
}
