// Generated from scripts/01-mnist-pretraining.cs by scripts/make-csx: edit that file, not this one.
// Walkthrough 1 (C#): MNIST pretraining. A C# script in dotnet-script's dialect. Run: scripts/csx scripts/01-mnist-pretraining.csx
// (TN_QUICK=1: small and fast). The package comes from the repository's local feed (artifacts/feed), which
// scripts/NuGet.config beside this file adds to the sources.
#r "nuget: TransferNotebooks, 0.1.0"

// %% [markdown]
// # 1. MNIST: pretraining a digit classifier
//
// We train two classic models on handwritten digits, a dense network (MLP) and a small convolutional network (CNN),
// and save the better one. Walkthrough 2 reuses it for transfer learning: it learns digits 5-9 from a handful of labels
// by building on what this model learnt. For that to be a fair test of *transfer*, the model here sees only the digits
// 0-4. Learning curves tell us whether it generalises; the confusion matrix and the worst mistakes tell us *how* it fails.
//
// Set `TN_QUICK=1` to train on a small subset for a few epochs (what CI does); leave it unset for the real run.

// %%
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using TransferNotebooks.Charts;
using TransferNotebooks.Data;
using TransferNotebooks.Models;
using TransferNotebooks.Training.Callbacks;
using static TransferNotebooks.Keras;

var quick = Environment.GetEnvironmentVariable("TN_QUICK") == "1";
var here = AppContext.GetData("EntryPointFileDirectoryPath") as string ?? Directory.GetCurrentDirectory();
var repo = Path.GetFullPath(Path.Combine(here, ".."));
var shared = Environment.GetEnvironmentVariable("TRANSFERNOTEBOOKS_SHARED_DATA") ?? Path.Combine(repo, "..", "shared", "data");
// The project's data folder when there is one, the small in-repo sample in quick mode, else null: download and cache.
string? mnistDir = Directory.Exists(Path.Combine(shared, "mnist")) ? Path.Combine(shared, "mnist")
    : quick ? Path.Combine(repo, "tests", "fixtures", "mnist") : null;

// %% [script]
// A script has no notebook to draw in: `display` prints text and writes charts to HTML files.
var charts = 0;
void display(object value)
{
    if (value is Plotly.NET.GenericChart chart)
    {
        var file = Path.Combine(repo, "artifacts", "walkthroughs", $"01-csharp-chart-{++charts}.html");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.WriteAllText(file, ChartHtml.Page(chart));
        Console.WriteLine($"chart written to {file}");
    }
    else Console.WriteLine(value);
}

// %% [markdown]
// ## The data
//
// `Mnist.Load` returns train and test `Dataset`s: images `[N, 28, 28]` and labels `[N]`. `scale: true` divides the
// pixels by 255: inputs around 0-1 keep the first layer's activations in a range where the default initialisation
// and learning rate work. `WhereLabel` keeps the digits 0-4; in quick mode we keep 1,000 of them for training.

// %%
var (allTrain, allTest) = Mnist.Load(scale: true, dataDir: mnistDir);
var digits04 = allTrain.WhereLabel([0, 1, 2, 3, 4]);
var train = quick ? digits04.Take(1000, seed: 1) : digits04;
var test = quick ? allTest.WhereLabel([0, 1, 2, 3, 4]).Take(500, seed: 1) : allTest.WhereLabel([0, 1, 2, 3, 4]);
var epochs = quick ? 2 : 20;
Console.WriteLine(train);
Console.WriteLine(test);

// %% [markdown]
// Before modelling, look at the inputs: are the digits centred, upright, readable? Are the classes balanced?

// %%
display(Plot.ImageGrid(train, count: 16));
display(string.Join(", ", train.Labels.CountBy(l => l).OrderBy(p => p.Key).Select(p => $"{p.Key}: {p.Value}")));

// %% [markdown]
// ## A dense network (MLP)
//
// `Flatten` turns each 28x28 image into 784 numbers; one hidden layer of 128 ReLU units; a softmax over the 5 classes.
// It ignores that neighbouring pixels belong together, which is what the CNN below adds.

// %%
var mlp = new Sequential(Flatten(inputShape: [28, 28]), Dense(128, activation: "relu"), Dense(5, activation: "softmax"));
mlp.Compile(optimizer: "adam", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
display(mlp.Summary());

// %% [markdown]
// `validationSplit: 0.1` holds out the last 10% of the training set: the model never trains on it, so its loss tells
// us how the model does on digits it has not seen. `EarlyStopping` watches that validation loss and stops when it has not
// improved for 3 epochs, then restores the best epoch's weights: more epochs would only fit the training set better.

// %%
EarlyStopping Stop() => new(monitor: "val_loss", patience: 3, restoreBestWeights: true);
var mlpHistory = mlp.Fit(train, epochs: epochs, batchSize: 64, validationSplit: 0.1, callbacks: [Stop()], seed: 1, verbose: 2);

// %% [markdown]
// ## A convolutional network (CNN)
//
// Convolutions look at 3x3 neighbourhoods and reuse the same filters everywhere, so a stroke is recognised wherever it
// is. Pooling halves the resolution; dropout fights overfitting. The input gets a channel axis: `[28, 28, 1]`
// (the model adds it to `[N, 28, 28]` images itself).

// %%
var cnn = new Sequential(
    Conv2D(32, 3, activation: "relu", inputShape: [28, 28, 1]), MaxPooling2D(2),
    Conv2D(64, 3, activation: "relu"), MaxPooling2D(2),
    Flatten(), Dropout(0.5), Dense(5, activation: "softmax"));
cnn.Compile(optimizer: "adam", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
var cnnHistory = cnn.Fit(train, epochs: epochs, batchSize: 64, validationSplit: 0.1, callbacks: [Stop()], seed: 1, verbose: 2);

// %% [markdown]
// ## Learning curves
//
// Training loss going down while validation loss goes up is overfitting; both still falling means more epochs would help.

// %%
display(Plot.LearningCurves(mlpHistory, title: "MLP"));
display(Plot.LearningCurves(cnnHistory, title: "CNN"));

// %% [markdown]
// ## Evaluate on the test set
//
// The test set was not used for any decision so far (early stopping used the validation split), so this is an honest
// estimate of accuracy on new digits.

// %%
var mlpTest = mlp.Evaluate(test);
var cnnTest = cnn.Evaluate(test);
Console.WriteLine($"MLP test accuracy {mlpTest.Accuracy:F4}, CNN test accuracy {cnnTest.Accuracy:F4}");

// %% [markdown]
// ## Confusion matrix
//
// From here on we look at the CNN, the model we keep (its convolutional features are the ones that transfer to new
// digits in walkthrough 2). Row = true digit, column = predicted digit. The diagonal is what the model gets right; large off-diagonal cells
// are systematic confusions (among 0-4, a 4 read as 1 or a 2 read as 3 are typical).

// %%
display(Plot.ConfusionMatrix(cnn, test));

// %% [markdown]
// ## Top losses
//
// The test digits with the highest loss are those the model was most confidently wrong about. They are often badly
// written or even mislabelled: looking at them shows whether the errors are the model's fault or the data's.

// %%
display(Plot.TopLosses(cnn, test, count: 9));

// %% [markdown]
// ## Save
//
// `Save` writes the architecture and the weights of the CNN to one file. Walkthrough 2 loads it without any code for the
// architecture, the way you would start from a pretrained model.

// %%
var modelPath = Path.Combine(repo, "artifacts", "walkthroughs", "mnist-0-4.tnmodel");
Directory.CreateDirectory(Path.GetDirectoryName(modelPath)!);
cnn.Save(modelPath);
Console.WriteLine($"saved the CNN to {Path.GetRelativePath(repo, modelPath)}");
