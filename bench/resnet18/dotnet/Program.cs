// Times ResNet18 feature extraction (ImageNet weights, 512 pooled features) of every photo of a folder tree with the library:
// decoding + resizing to 224 (ImageFolder), preprocessing, and Predict, each timed; prints one JSON line.
// Usage: TransferNotebooks.Bench.ResNet18 <hymenoptera dir> [threads] [batch] [out dir: writes images.npy (decoded, RGB 0-255) and features.npy]
using System.Diagnostics;
using System.Text.Json;
using TransferNotebooks;
using TransferNotebooks.Data;
using static TorchSharp.torch;

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
foreach (var p in parts) p.Dispose();
if (args.Length > 3)
{
    Directory.CreateDirectory(args[3]);
    Npy.Save(Path.Combine(args[3], "images.npy"), images);
    Npy.Save(Path.Combine(args[3], "features.npy"), features);
}
Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, double>
{
    ["images"] = images.shape[0], ["threads"] = threads, ["batch"] = batch,
    ["load_weights_s"] = build.Elapsed.TotalSeconds, ["decode_resize_s"] = decode.Elapsed.TotalSeconds,
    ["preprocess_s"] = pre.Elapsed.TotalSeconds, ["features_s"] = predict.Elapsed.TotalSeconds,
    ["images_per_s"] = images.shape[0] / predict.Elapsed.TotalSeconds, ["feature_mean"] = features.mean().item<float>(),
}, Bench.Json.Default.DictionaryStringDouble));

namespace Bench
{
    [System.Text.Json.Serialization.JsonSerializable(typeof(Dictionary<string, double>))]
    internal sealed partial class Json : System.Text.Json.Serialization.JsonSerializerContext;
}
