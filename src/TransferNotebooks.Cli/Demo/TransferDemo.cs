using System.Diagnostics;
using System.Globalization;
using TransferNotebooks.Data;
using TransferNotebooks.Models;
using TransferNotebooks.Transfer;
using static TransferNotebooks.Keras;
using static TorchSharp.torch;

namespace TransferNotebooks.Cli.Demo;

/// <summary>One measured run: an arm at a labelled-examples budget and a seed.</summary>
public sealed record ArmResult(int PerClass, int Seed, string Arm, double Accuracy, double Seconds);

/// <summary>
/// Keras's mnist_transfer_cnn experiment done right: pretrain a small CNN on digits 0-4, save and load it, then learn digits 5-9
/// from only N labelled examples per class, three ways on the same examples and budget (from scratch, frozen features with a new
/// head, FineTune), evaluated on the 5-9 test digits (never trained on).
/// </summary>
public static class TransferDemo
{
    public static int Run(DemoOptions options)
    {
        var total = Stopwatch.StartNew();
        Directory.CreateDirectory(options.OutDir);
        using var data = DemoData.Load(options);
        var (train, test, source) = (data.Train, data.Test, data.Source);
        Console.WriteLine($"data: {train.Count} training and {test.Count} test digits");
        using var train04 = train.WhereLabel([0, 1, 2, 3, 4]);
        using var test04 = test.WhereLabel([0, 1, 2, 3, 4]);
        using var train59 = train.WhereLabel([5, 6, 7, 8, 9], remap: true);
        using var test59 = test.WhereLabel([5, 6, 7, 8, 9], remap: true);

        // 1. Pretrain on digits 0-4 and save (or reuse a saved one).
        var modelPath = options.Pretrained ?? Path.Combine(options.OutDir, "pretrained-0to4.tnmodel");
        if (options.Pretrained is null)
        {
            Console.WriteLine($"\n1. pretraining the CNN on digits 0-4 ({train04.Count} digits, {options.PretrainEpochs} epochs)");
            manual_seed(options.Seed);
            var clock = Stopwatch.StartNew();
            using var pretrained = Cnn(classes: 5);
            pretrained.Fit(train04, epochs: options.PretrainEpochs, batchSize: 128, validationSplit: 0.1, seed: options.Seed, verbose: 2);
            pretrained.Save(modelPath);
            Console.WriteLine($"   pretrained in {clock.Elapsed.TotalSeconds:0.0} s, saved {modelPath}");
        }
        else Console.WriteLine($"\n1. reusing the pretrained model {modelPath}");
        using (var reloaded = Model.Load(modelPath))
            Console.WriteLine($"   loaded it back: digits 0-4 test accuracy {reloaded.Evaluate(test04, batchSize: 512).Accuracy:P2}");

        // 2. Transfer to 5-9 with few labels, three arms on the same examples.
        Console.WriteLine("\n2. learning digits 5-9 from N labelled examples per class (same examples and epochs for every arm)");
        var results = new List<ArmResult>();
        foreach (int n in options.PerClass)
        {
            int epochs = EpochsFor(n, options.Quick);
            for (int s = 0; s < options.Seeds; s++)
            {
                int seed = options.Seed + s;
                using var few = train59.TakePerClass(n, seed: seed);
                var cmp = new Comparison(test59);
                cmp.Run("scratch", () => { manual_seed(seed); return Cnn(classes: 5); },
                    m => m.Fit(few, epochs: epochs, batchSize: 32, seed: seed, verbose: 0));
                cmp.Run("frozen features", () => FrozenFeatures(modelPath),
                    m => m.Fit(few, epochs: epochs, batchSize: 32, seed: seed, verbose: 0));
                cmp.Run("fine-tune", () => NewHead(modelPath),
                    m => m.FineTune(few, epochs: epochs - epochs / 2, freezeEpochs: epochs / 2, baseLearningRate: 0.002, lowestMultiplier: 0.1,
                        headLayers: HeadLayers(m), batchSize: 32, seed: seed, verbose: 0).Combined);
                foreach (var r in cmp.Rows)
                {
                    results.Add(new ArmResult(n, seed, r.Name, r.Accuracy, r.Seconds));
                    Console.WriteLine($"   N={n,4} seed={seed} {r.Name,-16} accuracy {r.Accuracy,7:P1}  {r.Seconds,5:0.0} s");
                }
            }
        }

        Console.WriteLine("\n3. summary (digits 5-9 test accuracy: mean [min-max] over seeds; training seconds per run)");
        var table = SummaryTable(results);
        Console.WriteLine(table);
        DemoReport.Write(Path.Combine(options.OutDir, "report.html"), options, source, results, table);
        Console.WriteLine($"report: {Path.Combine(options.OutDir, "report.html")}");
        Console.WriteLine($"total {total.Elapsed.TotalSeconds:0} s");
        return 0;
    }

    /// <summary>Epochs per arm: small N gets more passes so every arm takes a useful number of steps.</summary>
    static int EpochsFor(int perClass, bool quick) => quick ? (perClass <= 10 ? 12 : 6) : perClass switch { <= 10 => 30, <= 100 => 15, _ => 8 };

    /// <summary>A small CNN (two conv blocks, a dense layer, a softmax head).</summary>
    public static Sequential Cnn(int classes)
    {
        var m = new Sequential(
            Conv2D(16, 3, activation: "relu", inputShape: [28, 28, 1]),
            MaxPooling2D(),
            Conv2D(32, 3, activation: "relu"),
            MaxPooling2D(),
            Dropout(0.25),
            Flatten(),
            Dense(64, activation: "relu"),
            Dropout(0.5),
            Dense(classes, activation: "softmax"));
        m.Compile(optimizer: "adam", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
        return m;
    }

    static Sequential NewHead(string path)
    {
        var m = Model.Load<Sequential>(path);
        m.ReplaceHead(5, name: "head_5to9");
        m.Compile(optimizer: "adam", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
        return m;
    }

    /// <summary>The classifier on top of the convolutional features: every layer after Flatten.</summary>
    static int HeadLayers(Sequential m) => m.Layers.Count - 1 - m.Layers.IndexOf("flatten");

    static Sequential FrozenFeatures(string path)
    {
        var m = NewHead(path);
        m.Freeze(upTo: m.Layers.IndexOf("flatten") + 1); // the convolutional features
        return m;
    }

    static string SummaryTable(List<ArmResult> results)
    {
        var arms = results.Select(r => r.Arm).Distinct().ToList();
        var lines = new List<string> { $"{"N/class",8}  " + string.Join("  ", arms.Select(a => a.PadLeft(24))) };
        foreach (var g in results.GroupBy(r => r.PerClass))
        {
            var cells = arms.Select(a =>
            {
                var rs = g.Where(r => r.Arm == a).ToList();
                return string.Create(CultureInfo.InvariantCulture, $"{rs.Average(r => r.Accuracy):P1} [{rs.Min(r => r.Accuracy):P0}-{rs.Max(r => r.Accuracy):P0}] {rs.Average(r => r.Seconds),4:0.0}s").PadLeft(24);
            });
            lines.Add($"{g.Key,8}  " + string.Join("  ", cells));
        }
        return string.Join(Environment.NewLine, lines);
    }
}
