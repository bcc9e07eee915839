// Generated from scripts/02-mnist-fine-tuning.cs by scripts/make-csx: edit that file, not this one.
// Walkthrough 2 (C#): transfer learning to new digits. A C# script in dotnet-script's dialect. Run: scripts/csx scripts/02-mnist-fine-tuning.csx
// (TN_QUICK=1: small and fast). The package comes from the repository's local feed (artifacts/feed), which
// scripts/NuGet.config beside this file adds to the sources.
#r "nuget: TransferNotebooks, 0.1.0"

// %% [markdown]
// # 2. MNIST: transfer learning to new digits with few labels
//
// Walkthrough 1 trained a CNN on the digits 0-4 only. Here it learns the digits 5-9 from just 10 labelled examples of
// each. Why this can work: the convolutional layers learnt to detect strokes, curves and corners, and 5-9 are made of
// the same parts; only the last layer, which maps those parts to the five *old* classes, belongs to the old task.
// So we keep the body, frozen, and train a new last layer (the "head"), then compare with a model trained from scratch
// on the same 50 images.

// %%
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using TransferNotebooks.Charts;
using TransferNotebooks.Data;
using TransferNotebooks.Models;
using TransferNotebooks.Transfer;
using static TransferNotebooks.Keras;

var quick = Environment.GetEnvironmentVariable("TN_QUICK") == "1";
var here = AppContext.GetData("EntryPointFileDirectoryPath") as string ?? Directory.GetCurrentDirectory();
var repo = Path.GetFullPath(Path.Combine(here, ".."));
var shared = Environment.GetEnvironmentVariable("TRANSFERNOTEBOOKS_SHARED_DATA") ?? Path.Combine(repo, "..", "shared", "data");
string? mnistDir = Directory.Exists(Path.Combine(shared, "mnist")) ? Path.Combine(shared, "mnist")
    : quick ? Path.Combine(repo, "tests", "fixtures", "mnist") : null;
var modelPath = Path.Combine(repo, "artifacts", "walkthroughs", "mnist-0-4.tnmodel");
if (!File.Exists(modelPath)) throw new FileNotFoundException($"{modelPath} is missing: run walkthrough 1 (01-mnist-pretraining) first; it saves the pretrained model.");

// %% [script]
// A script has no notebook to draw in: `display` prints text and writes charts to HTML files.
var charts = 0;
void display(object value)
{
    if (value is Plotly.NET.GenericChart chart)
    {
        var file = Path.Combine(repo, "artifacts", "walkthroughs", $"02-csharp-chart-{++charts}.html");
        File.WriteAllText(file, ChartHtml.Page(chart));
        Console.WriteLine($"chart written to {file}");
    }
    else Console.WriteLine(value);
}

// %% [markdown]
// ## A few labels of new digits
//
// `WhereLabel([5, 6, 7, 8, 9], remap: true)` keeps the digits 5-9 and renumbers them 0-4, the outputs of the new head.
// `TakePerClass(10)` keeps 10 random examples of each digit: the few-labels setting where transfer pays off.

// %%
var (allTrain, allTest) = Mnist.Load(scale: true, dataDir: mnistDir);
var fewLabels = allTrain.WhereLabel([5, 6, 7, 8, 9], remap: true).TakePerClass(10, seed: 1);
var test = quick ? allTest.WhereLabel([5, 6, 7, 8, 9], remap: true).Take(500, seed: 1) : allTest.WhereLabel([5, 6, 7, 8, 9], remap: true);
string[] names = ["5", "6", "7", "8", "9"];
var epochs = quick ? 16 : 40;
Console.WriteLine(fewLabels);
display(Plot.ImageGrid(fewLabels, count: 16, classNames: names));

// %% [markdown]
// ## The pretrained model
//
// `Model.Load` rebuilds the model from the file alone (layer types and settings, weights): no code for its architecture.

// %%
var pretrained = Model.Load(modelPath);
display(pretrained.Summary());

// %% [markdown]
// ## Freeze the body, give it a new head
//
// `Freeze()` switches every layer's `Trainable` off: the optimizer leaves their weights alone. `ReplaceHead(5)` swaps
// the last Dense layer (0-4) for a fresh, trainable one (5-9). With 50 images, a few thousand head weights can be fitted;
// the CNN's ~20,000 body weights could not, and would just memorise the 50 images.

// %%
var transfer = Model.Load(modelPath);
transfer.Freeze().ReplaceHead(5);
transfer.Compile(optimizer: "adam", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
display(transfer.Summary());

// %%
var transferHistory = transfer.Fit(fewLabels, epochs: epochs, batchSize: 16, seed: 1, verbose: 0);
display(transfer.Evaluate(test));

// %% [markdown]
// ## Compare with training from scratch
//
// The same CNN, with random weights, trained on the same 50 images for the same epochs. Training from scratch needs
// the architecture in code; transfer did not. A third arm, `FineTune`, trains the new head first and then unfreezes
// everything with small learning rates for the early layers (they need the least change). How much transfer gains
// depends on how good the pretrained features are: in quick mode the CNN saw 1,000 digits for 2 epochs, so the
// numbers are noisy; with the full run of walkthrough 1 the frozen body is a much better start than random weights.

// %%
var scratch = new Sequential(
    Conv2D(32, 3, activation: "relu", inputShape: [28, 28, 1]), MaxPooling2D(2),
    Conv2D(64, 3, activation: "relu"), MaxPooling2D(2),
    Flatten(), Dropout(0.5), Dense(5, activation: "softmax"));
scratch.Compile(optimizer: "adam", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
var scratchHistory = scratch.Fit(fewLabels, epochs: epochs, batchSize: 16, seed: 1, verbose: 0);

var fineTuned = Model.Load(modelPath).ReplaceHead(5);
fineTuned.Compile(optimizer: "adam", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
var fineTuneHistory = fineTuned.FineTune(fewLabels, epochs: epochs / 2, freezeEpochs: epochs / 2, batchSize: 16, seed: 1, verbose: 0).Combined;

// %%
(string Name, KerasModel Model, TransferNotebooks.Training.History History)[] results =
[
    ("frozen body + new head", transfer, transferHistory),
    ("fine-tuned (FineTune)", fineTuned, fineTuneHistory),
    ("from scratch", scratch, scratchHistory),
];
foreach (var (name, model, _) in results)
{
    var r = model.Evaluate(test);
    Console.WriteLine($"{name,-24} test accuracy {r.Accuracy:F4}  test loss {r.Loss:F4}  trainable weights {model.Summary().TrainableParameters:N0}");
}

// %%
display(Plot.Compare(results.Select(r => (r.Name, r.History))));

// %% [markdown]
// ## The Keras way: the pretrained model as a layer of a new model
//
// Keras's transfer-learning guide builds a *new* model around the pretrained one with the functional API:
// `inputs = keras.Input(shape)`, `x = base_model(inputs, training=False)`, a new head on `x`, `keras.Model(inputs, outputs)`.
// The same here: `Input`, `Call` a model or layer on a symbolic tensor, `new Functional(inputs, outputs)`. The body is
// walkthrough 1's CNN without its 0-4 head (`Pop()`), frozen; `training: false` keeps it in inference mode even while
// the new model trains (its Dropout stays off, as BatchNormalization would keep its statistics). The summary shows the
// nested model as one frozen row, with what each layer is connected to.

// %%
var body = Model.Load<Sequential>(modelPath);
body.Pop().Dispose();
body.Freeze();
var inputs = Input([28, 28, 1]);
var features = body.Call(inputs, training: false);
var outputs = Dense(5, activation: "softmax").Call(Dropout(0.2).Call(features));
var kerasWay = new Functional(inputs, outputs, name: "transfer_functional");
kerasWay.Compile(optimizer: "adam", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
display(kerasWay.Summary());

// %%
var kerasWayHistory = kerasWay.Fit(fewLabels, epochs: epochs, batchSize: 16, seed: 1, verbose: 0);
display(kerasWay.Evaluate(test));

// %% [markdown]
// ## The frozen weights did not move
//
// Freezing is a promise: the body is exactly the pretrained one. The `Drift` column of the summary is the largest
// change of each frozen layer's weights since it was frozen; below we also compare every weight with a fresh copy
// loaded from the file. Only the new head differs.

// %%
display(transfer.Summary());
var original = pretrained.NamedWeights();
foreach (var (name, weight) in transfer.NamedWeights())
    Console.WriteLine($"{name,-16} largest change {(weight - original[name]).abs().max().item<float>()}");

// %% [markdown]
// ## Predict on new images
//
// Test digits the model has never seen, with its predictions (labels 0-4 stand for the digits 5-9).

// %%
var newImages = test.Take(16, seed: 7);
display(Plot.ImageGrid(newImages, predicted: transfer.PredictClasses(newImages.X), classNames: names));

// %% [markdown]
// ## Starting from a model saved by Keras
//
// `Model.Load` also reads models saved by Keras, recognising the file by its content: `.h5` files from Keras 2 and 3 and
// `.keras` zips, architecture, weights and compile settings, with no code for the architecture. This small CNN is stored in
// Keras 3's `.keras` layout (its weights are random, so it starts at chance); the same steps apply: new head, freeze
// the body, train on the 50 labelled images.

// %%
var kerasModel = Model.Load(Path.Combine(repo, "tests", "fixtures", "keras", "mnist_cnn.keras"));
display(kerasModel.Summary());
kerasModel.ReplaceHead(5).Freeze(upTo: -1);
kerasModel.Compile(optimizer: "adam", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
kerasModel.Fit(fewLabels, epochs: epochs, batchSize: 16, seed: 1, verbose: 0);
Console.WriteLine($"Keras-saved CNN with a new head: test accuracy {kerasModel.Evaluate(test).Accuracy:F4}");
