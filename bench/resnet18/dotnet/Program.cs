// Times ResNet18 feature extraction (ImageNet weights, 512 pooled features) of every photo of a folder tree with the library:
// decoding + resizing to 224 (ImageFolder), preprocessing, and Predict, each timed; prints one JSON line.
// With --fine-tune N it then fine-tunes conv5_block3 + a new Dense head (Adam 1e-5, batches of 16, the base called with
// training: false, no augmentation) on the 245 training photos for N epochs, and prints one JSON line per epoch: its seconds,
// the RSS after a full collection and the live tensors (the PyTorch peer, bench.py --fine-tune, trains the same network).
// Usage: TransferNotebooks.Bench.ResNet18 <hymenoptera dir> [threads] [batch] [out dir: writes images.npy (decoded, RGB 0-255),
//        train_labels.npy and features.npy] [--fine-tune epochs]
using System.Diagnostics;
using System.Text.Json;
using TransferNotebooks;
using TransferNotebooks.Data;
using TransferNotebooks.Models;
using TransferNotebooks.Optimizers;
using TransferNotebooks.Training.Callbacks;
using static TorchSharp.torch;

int fineTuneEpochs = 0;
if (Array.IndexOf(args, "--fine-tune") is var ft and >= 0)
{
    fineTuneEpochs = int.Parse(args[ft + 1]);
    args = [.. args[..ft], .. args[(ft + 2)..]];
}
var root = args.Length > 0 ? args[0] : throw new ArgumentException("Give the hymenoptera folder (with train/ and val/).");
int threads = args.Length > 1 ? int.Parse(args[1]) : 2, batch = args.Length > 2 ? int.Parse(args[2]) : 32;
set_num_threads(threads);
var total = Stopwatch.StartNew();
var build = Stopwatch.StartNew();
using var model = Applications.ResNet18(weights: "imagenet", pooling: "avg");
build.Stop();
var decode = Stopwatch.StartNew();
var parts = new[] { "train", "val" }.Select(s => ImageFolder.LoadData(Path.Combine(root, s), 224, 224)).ToList();
using var images = cat(parts.Select(p => p.Data.X).ToList(), 0);
decode.Stop();
var pre = Stopwatch.StartNew();
using var x = Applications.ResNet18PreprocessInput(images);
pre.Stop();
using (var warm = x.narrow(0, 0, 2)) model.Predict(warm).Dispose(); // first call: kernels chosen, buffers allocated
var predict = Stopwatch.StartNew();
using var features = model.Predict(x, batchSize: batch);
predict.Stop();
total.Stop();
if (args.Length > 3)
{
    Directory.CreateDirectory(args[3]);
    Npy.Save(Path.Combine(args[3], "images.npy"), images);
    Npy.Save(Path.Combine(args[3], "train_labels.npy"), parts[0].Data.Y);
    Npy.Save(Path.Combine(args[3], "features.npy"), features);
}
Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, double>
{
    ["images"] = images.shape[0], ["threads"] = threads, ["batch"] = batch,
    ["load_weights_s"] = build.Elapsed.TotalSeconds, ["decode_resize_s"] = decode.Elapsed.TotalSeconds,
    ["preprocess_s"] = pre.Elapsed.TotalSeconds, ["features_s"] = predict.Elapsed.TotalSeconds,
    ["images_per_s"] = images.shape[0] / predict.Elapsed.TotalSeconds, ["feature_mean"] = features.mean().item<float>(),
}, Bench.Json.Default.DictionaryStringDouble));

if (fineTuneEpochs > 0)
{
    long nTrain = parts[0].Data.Count;
    using var trainX = x.narrow(0, 0, nTrain);
    var trainY = parts[0].Data.Y; // disposed with parts
    Keras.SetRandomSeed(1);
    model.Freeze();
    model.Unfreeze(Applications.BlockLayers(model, "conv5_block3"));
    var inputs = Keras.Input([224, 224, 3]);
    using var fineTuned = new Functional(inputs, Keras.Dense(2, activation: "softmax", name: "head").Call(model.Call(inputs, training: false)));
    fineTuned.Compile(optimizer: new Adam(1e-5), loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
    var trainable = fineTuned.Summary().TrainableParameters;
    var epochClock = new Stopwatch();
    var log = new LambdaCallback(
        onEpochBegin: (_, _) => epochClock.Restart(),
        onEpochEnd: (epoch, logs) =>
        {
            double seconds = epochClock.Elapsed.TotalSeconds; // before the RSS probe's collections
            Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, double>
            {
                ["fine_tune_epoch"] = epoch + 1, ["photos"] = nTrain, ["trainable_parameters"] = trainable, ["seconds"] = seconds,
                ["photos_per_s"] = nTrain / seconds, ["loss"] = logs["loss"], ["accuracy"] = logs["accuracy"],
                ["rss_mb"] = Rss() / 1048576.0, ["live_tensors"] = Tensor.TotalCount,
            }, Bench.Json.Default.DictionaryStringDouble));
        });
    fineTuned.Fit(trainX, trainY, epochs: fineTuneEpochs, batchSize: 16, seed: 1, verbose: 0, callbacks: [log]);
}
foreach (var p in parts) p.Dispose();

static long Rss()
{
    GC.Collect();
    GC.WaitForPendingFinalizers();
    GC.Collect();
    using var process = Process.GetCurrentProcess();
    process.Refresh();
    return process.WorkingSet64;
}

namespace Bench
{
    [System.Text.Json.Serialization.JsonSerializable(typeof(Dictionary<string, double>))]
    internal sealed partial class Json : System.Text.Json.Serialization.JsonSerializerContext;
}
