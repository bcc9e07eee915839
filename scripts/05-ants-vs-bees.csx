// Generated from scripts/05-ants-vs-bees.cs by scripts/make-csx: edit that file, not this one.
// Walkthrough 5 (C#): ants vs bees with an ImageNet ResNet18. A C# script in dotnet-script's dialect. Run: scripts/csx scripts/05-ants-vs-bees.csx
// (TN_QUICK=1: small and fast). The package comes from the repository's local feed (artifacts/feed), which
// scripts/NuGet.config beside this file adds to the sources.
#r "nuget: TransferNotebooks, 0.1.0"
#r "nuget: TransferNotebooks.Applications, 0.1.0"

// %% [markdown]
// # 5. Ants vs bees: transfer learning with an ImageNet ResNet18
//
// 245 training photos of ants and bees (PyTorch's transfer-learning tutorial data) are far too few to train a deep
// network. A ResNet18 trained on ImageNet's 1.2 million photos already computes features that describe insects, legs,
// wings, flowers and backgrounds; we keep it and train only a small head on top. Three arms, on the same photos:
//
// 1. **Frozen features**: run the pretrained network once over every photo, cache its 512 features, train a `Dense` head.
// 2. **Fine-tuning**: Keras's transfer pattern (augmentation, the base called with `training: false`, the head from 1),
//    then the last residual block unfrozen with a low learning rate.
// 3. **From scratch**: the same network with random weights.

// %%
using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using TransferNotebooks;
using TransferNotebooks.Charts;
using TransferNotebooks.Data;
using TransferNotebooks.Frames;
using TransferNotebooks.Models;
using TransferNotebooks.Optimizers;
using static TransferNotebooks.Keras;

var quick = Environment.GetEnvironmentVariable("TN_QUICK") == "1";
var here = AppContext.GetData("EntryPointFileDirectoryPath") as string ?? Directory.GetCurrentDirectory();
var repo = Path.GetFullPath(Path.Combine(here, ".."));
var shared = Environment.GetEnvironmentVariable("TRANSFERNOTEBOOKS_SHARED_DATA") ?? Path.Combine(repo, "..", "shared", "data");
var dataDir = quick ? Path.Combine(repo, "tests", "fixtures", "hymenoptera") : Path.Combine(shared, "hymenoptera");
var epochs = quick ? 1 : 60;          // head on cached features
var fineTuneEpochs = quick ? 1 : 2;
var scratchEpochs = quick ? 1 : 2;
SetRandomSeed(1);                     // new layers start from the same weights on every run, in F# and C#
Directory.CreateDirectory(Path.Combine(repo, "artifacts", "walkthroughs"));

// %% [script]
// A script has no notebook to draw in: `display` prints text and writes charts to HTML files.
var charts = 0;
void display(object value)
{
    if (value is Plotly.NET.GenericChart chart)
    {
        var file = Path.Combine(repo, "artifacts", "walkthroughs", $"05-csharp-chart-{++charts}.html");
        File.WriteAllText(file, ChartHtml.Page(chart));
        Console.WriteLine($"chart written to {file}");
    }
    else Console.WriteLine(value);
}

// %% [markdown]
// ## The photos
//
// `Hymenoptera.LoadData` reads the JPEGs as torchvision's ImageNet evaluation does (shorter side to 256, central
// 224 x 224 crop): float32 RGB 0-255, labels 0 ants, 1 bees. `Files` keeps the file of each photo.

// %%
var bugs = Hymenoptera.LoadData(dataDir: dataDir);
var (train, val) = bugs;
var names = bugs.ClassNames;
Console.WriteLine($"train: {train}\nval:   {val}\nclasses: {string.Join(", ", names)}");
// Charts get 96 x 96 thumbnails of the same photos (same order), small PNGs in the notebook.
var (thumbs, valThumbs) = Hymenoptera.LoadData(dataDir: dataDir, height: 96, width: 96, resizeTo: 110);
display(Plot.ImageGrid(thumbs.Shuffle(seed: 1), count: 16, classNames: names));

// %% [markdown]
// ## The pretrained network
//
// `Applications.ResNet18(includeTop: false, weights: "imagenet", pooling: "avg")` gives the network without a
// classifier, ending in 512 averaged features. It wants its own preprocessing: `ResNet18PreprocessInput` turns RGB 0-255
// into BGR minus ImageNet's mean image, as Keras's `preprocess_input`.

// %%
var baseModel = Applications.ResNet18(includeTop: false, weights: "imagenet", pooling: "avg");
baseModel.Freeze();
Console.WriteLine($"{baseModel.Layers.Count} layers, {baseModel.Summary().NonTrainableParameters:N0} weights, all frozen");
var trainX = Applications.ResNet18PreprocessInput(train.X);
var valX = Applications.ResNet18PreprocessInput(val.X);

// %% [markdown]
// ## 1. Frozen features, cached, and a new head
//
// The frozen network gives the same 512 numbers for a photo every time, so we compute them **once** with `Predict`
// and keep them as a tensor (`[N, 512]`). Training the head then costs almost nothing per epoch: the expensive
// convolutions run once instead of once per epoch. Keras's transfer-learning guide calls this "feature extraction",
// and ML.NET's image classification trainer does the same (it caches the "bottleneck" values). The price: no data
// augmentation, since each photo's features are fixed. The head is Keras's: `Dropout` (as the guide's) and a `Dense` layer.

// %%
var clock = Stopwatch.StartNew();
var trainFeatures = baseModel.Predict(trainX);
var valFeatures = baseModel.Predict(valX);
Console.WriteLine($"features {string.Join(" x ", valFeatures.shape)} in {clock.Elapsed.TotalSeconds:F0} s");

// %%
var dropout = Dropout(0.5, inputShape: [512]);
var head = Dense(2, activation: "softmax", name: "head");
var headModel = new Sequential(dropout, head);
headModel.Compile(optimizer: "adam", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
var headHistory = headModel.Fit(new Dataset(trainFeatures, train.Y), epochs: epochs, batchSize: 32,
    validationData: new Dataset(valFeatures, val.Y), seed: 1, verbose: 0);
var frozenAccuracy = headModel.Evaluate(new Dataset(valFeatures, val.Y)).Accuracy;
var frozenSeconds = clock.Elapsed.TotalSeconds;
Console.WriteLine($"frozen features + head: val accuracy {frozenAccuracy:P1}, {frozenSeconds:F0} s in all");
display(Plot.LearningCurves(headHistory, title: "Head on cached ResNet18 features"));

// %% [markdown]
// ### How much of that is the seed?
//
// 153 validation photos: one photo is 0.65 points. The head's random initial weights and its dropout move the result by a photo
// or two, so a single figure says little; here is the same head trained from ten seeds (seconds, on cached features).

// %%
var seedAccuracies = Enumerable.Range(1, quick ? 2 : 10).Select(seed =>
{
    SetRandomSeed(seed);
    using var m = new Sequential(Dropout(0.5, inputShape: [512]), Dense(2, activation: "softmax"));
    m.Compile(optimizer: "adam", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
    m.Fit(new Dataset(trainFeatures, train.Y), epochs: epochs, batchSize: 32, seed: seed, verbose: 0);
    return m.Evaluate(new Dataset(valFeatures, val.Y)).Accuracy;
}).Order().ToList();
Console.WriteLine($"head from {seedAccuracies.Count} seeds: min {seedAccuracies[0]:P1}, median {seedAccuracies[seedAccuracies.Count / 2]:P1}, max {seedAccuracies[^1]:P1}");

// %% [markdown]
// ### What it gets wrong
//
// The misclassified validation photos, with the head's probability for each class, and the confusion matrix.

// %%
var probs = headModel.Predict(valFeatures);
var predicted = probs.argmax(1).data<long>().ToArray();
var wrong = Enumerable.Range(0, val.Count).Where(i => predicted[i] != val.Labels[i]).Select(i => (long)i).ToArray();
foreach (var i in wrong)
    Console.WriteLine($"{Path.GetFileName(bugs.Val.Files[(int)i]),-28} true {names[(int)val.Labels[i]]}  P(ants) {probs[i, 0].item<float>():F2}  P(bees) {probs[i, 1].item<float>():F2}");
if (wrong.Length > 0)
    display(Plot.ImageGrid(valThumbs, predicted: predicted, indices: wrong, classNames: names, title: $"{wrong.Length} misclassified of {val.Count}"));
display(Plot.ConfusionMatrix(val.Labels, predicted, classNames: names));

// %% [markdown]
// ## 2. Fine-tuning, the Keras way
//
// A new model around the base: random flips and rotations (active only while training), the preprocessing as a layer
// (so the model takes raw photos), the base called with `training: false` (its BatchNormalization layers keep their
// ImageNet statistics even once unfrozen) and the **same** `dropout` and `head` layers, so it starts from the weights trained in 1.
// Then we unfreeze the last residual block, `conv5_block3`, and train with a learning rate 100 times below Adam's default:
// large updates would wreck the pretrained features in a few steps. Each epoch now runs the whole network on every photo.

// %%
var inputs = Input([224, 224, 3]);
var x = RandomFlip("horizontal", seed: 1).Call(inputs);
x = RandomRotation(0.1, seed: 1).Call(x);
x = Applications.ResNet18Preprocessing().Call(x);
var fineTuned = new Functional(inputs, head.Call(dropout.Call(baseModel.Call(x, training: false))), name: "fine_tuned");
baseModel.Unfreeze(Applications.BlockLayers(baseModel, "conv5_block3"));
fineTuned.Compile(optimizer: new Adam(1e-5), loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
Console.WriteLine($"trainable weights: {fineTuned.Summary().TrainableParameters:N0}");

// %%
clock.Restart();
var fineTuneHistory = fineTuned.Fit(train, epochs: fineTuneEpochs, batchSize: 16, validationData: val, seed: 1, verbose: 0);
var fineTuneAccuracy = fineTuned.Evaluate(val).Accuracy;
var fineTuneSeconds = clock.Elapsed.TotalSeconds;
Console.WriteLine($"fine-tuned conv5_block3: val accuracy {fineTuneAccuracy:P1}, {fineTuneSeconds:F0} s");

// %% [markdown]
// ## 3. The same network from scratch
//
// `weights: null` gives random weights. Everything trains, on 245 photos, for a few epochs.

// %%
var scratchBase = Applications.ResNet18(includeTop: false, weights: null, pooling: "avg");
var scratchInputs = Input([224, 224, 3]);
var s = RandomFlip("horizontal", seed: 1).Call(scratchInputs);
s = Applications.ResNet18Preprocessing().Call(s);
var scratch = new Functional(scratchInputs, Dense(2, activation: "softmax").Call(scratchBase.Call(s)), name: "scratch");
scratch.Compile(optimizer: "adam", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
clock.Restart();
var scratchHistory = scratch.Fit(train, epochs: scratchEpochs, batchSize: 16, validationData: val, seed: 1, verbose: 0);
var scratchAccuracy = scratch.Evaluate(val).Accuracy;
var scratchSeconds = clock.Elapsed.TotalSeconds;
Console.WriteLine($"from scratch: val accuracy {scratchAccuracy:P1}, {scratchSeconds:F0} s");

// %% [markdown]
// ## The three arms

// %%
Console.WriteLine($"{"frozen features + head",-26} val accuracy {frozenAccuracy:P1}  {frozenSeconds,5:F0} s");
Console.WriteLine($"{"fine-tuned conv5_block3",-26} val accuracy {fineTuneAccuracy:P1}  {fineTuneSeconds,5:F0} s");
Console.WriteLine($"{"from scratch",-26} val accuracy {scratchAccuracy:P1}  {scratchSeconds,5:F0} s");
display(Plot.Compare([("frozen + head", headHistory), ("fine-tuned", fineTuneHistory), ("scratch", scratchHistory)]));
