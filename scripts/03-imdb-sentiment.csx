// Generated from scripts/03-imdb-sentiment.cs by scripts/make-csx: edit that file, not this one.
// Walkthrough 3 (C#): IMDB sentiment, then transfer to star ratings. A C# script in dotnet-script's dialect. Run: scripts/csx scripts/03-imdb-sentiment.csx
// (TN_QUICK=1: small and fast). The package comes from the repository's local feed (artifacts/feed), which
// scripts/NuGet.config beside this file adds to the sources.
#r "nuget: TransferNotebooks, 0.1.0"

// %% [markdown]
// # 3. IMDB: is a movie review positive or negative?
//
// The classic text example of Keras's book: reviews become bags of words, a small dense network reads them. We build
// it twice (two softmax outputs, and Keras's reference single sigmoid output), watch it overfit, stop it in time,
// read the reviews it gets most wrong, and finally reuse what it learnt for a new task: the 1-10 star rating.

// %%
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using TorchSharp;
using TransferNotebooks.Charts;
using TransferNotebooks.Data;
using TransferNotebooks.Models;
using TransferNotebooks.Optimizers;
using TransferNotebooks.Training.Callbacks;
using TransferNotebooks.Transfer;
using static TransferNotebooks.Keras;

var quick = Environment.GetEnvironmentVariable("TN_QUICK") == "1";
var here = AppContext.GetData("EntryPointFileDirectoryPath") as string ?? Directory.GetCurrentDirectory();
var repo = Path.GetFullPath(Path.Combine(here, ".."));
var shared = Environment.GetEnvironmentVariable("TRANSFERNOTEBOOKS_SHARED_DATA") ?? Path.Combine(repo, "..", "shared", "data");
// The project's copy of the archive when there is one, the small in-repo sample in quick mode, else null: download and cache.
string? imdbArchive = File.Exists(Path.Combine(shared, "imdb", "aclImdb_v1-labelled.tar.gz")) ? Path.Combine(shared, "imdb", "aclImdb_v1-labelled.tar.gz")
    : quick ? Path.Combine(repo, "tests", "fixtures", "imdb", "aclImdb-fixture.tar.gz") : null;

// %% [script]
// A script has no notebook to draw in: `display` prints text and writes charts to HTML files.
var charts = 0;
void display(object value)
{
    if (value is Plotly.NET.GenericChart chart)
    {
        var file = Path.Combine(repo, "artifacts", "walkthroughs", $"03-csharp-chart-{++charts}.html");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.WriteAllText(file, ChartHtml.Page(chart));
        Console.WriteLine($"chart written to {file}");
    }
    else Console.WriteLine(value);
}

// %% [markdown]
// ## The reviews
//
// `Imdb.LoadData(numWords: 10000)` reads 25,000 training and 25,000 test reviews as sequences of word indices, keeping the
// 10,000 most frequent words (rarer ones become index 2, "?"), with the word index that decodes them
// (`var (train, test) = Imdb.Load(numWords: 10000);` gives only the two splits). Decoding one back shows what the model
// will see: lowercase words, no punctuation, no word order beyond the sequence.

// %%
var imdb = Imdb.LoadData(numWords: 10000, dataDir: imdbArchive);
var reviews = quick ? Math.Min(1000, imdb.Train.Count) : imdb.Train.Count;
Console.WriteLine($"label {imdb.Train.Labels[0]} (1 = positive), rating {imdb.Train.Ratings[0]}/10:\n{imdb.Decode(imdb.Train.Sequences[0])}");

// %% [markdown]
// ## Multi-hot vectors
//
// A dense layer needs vectors of one length. Multi-hot encoding makes each review a 10,000-long vector of 0s and 1s:
// 1 where the word occurs. Word order is lost; for sentiment, *which* words occur ("awful", "superb") carries most of
// the signal. (Quick mode keeps the first 1,000 reviews of each split.)

// %%
Dataset Vectorize(ImdbSplit split)
{
    var n = Math.Min(reviews, split.Count);
    return new Dataset(Sequences.Vectorize(split.Sequences.Take(n), 10000), torch.tensor(split.Labels[..n]));
}
var (train, test) = (Vectorize(imdb.Train), Vectorize(imdb.Test));
Console.WriteLine(train);

// %% [markdown]
// ## Two hidden layers of 16, two ways to output a probability
//
// As in the seed of this project: two softmax units (P(negative), P(positive)) with sparse categorical cross-entropy.
// As in Keras's reference: one sigmoid unit (P(positive)) with binary cross-entropy. Both give the same kind of model;
// the sigmoid form has half the output weights. 20 epochs is deliberately too many: we want to see overfitting.

// %%
var epochs = quick ? 8 : 20;
var softmax2 = new Sequential(Dense(16, activation: "relu", inputShape: [10000]), Dense(16, activation: "relu"), Dense(2, activation: "softmax"));
softmax2.Compile(optimizer: "rmsprop", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
var softmaxHistory = softmax2.Fit(train, epochs: epochs, batchSize: 512, validationSplit: 0.4, seed: 1, verbose: 2);

// %%
Sequential Sigmoid1() =>
    new Sequential(Dense(16, activation: "relu", inputShape: [10000]), Dense(16, activation: "relu"), Dense(1, activation: "sigmoid"))
        .Compile(optimizer: "rmsprop", loss: "binary_crossentropy", metrics: ["accuracy"]);
var sigmoidModel = Sigmoid1();
var sigmoidHistory = sigmoidModel.Fit(train, epochs: epochs, batchSize: 512, validationSplit: 0.4, seed: 1, verbose: 2);

// %% [markdown]
// ## Overfitting, visible in the curves
//
// The training loss keeps falling; the validation loss bottoms out after a few epochs and then rises: from there on,
// the network learns the training reviews themselves (which rare words occur in which review) rather than sentiment.

// %%
display(Plot.LearningCurves(sigmoidHistory, title: "sigmoid-1"));
display(Plot.Compare([("softmax-2", softmaxHistory), ("sigmoid-1", sigmoidHistory)]));

// %% [markdown]
// ## Early stopping
//
// Rather than reading the best epoch off the chart and retraining, `EarlyStopping` stops when the validation loss has
// not improved for 2 epochs and puts back the weights of the best epoch.

// %%
var model = Sigmoid1();
var stopped = model.Fit(train, epochs: epochs, batchSize: 512, validationSplit: 0.4, seed: 1, verbose: 2,
    callbacks: [new EarlyStopping(monitor: "val_loss", patience: 2, restoreBestWeights: true, verbose: 1)]);
display(model.Evaluate(test));

// %% [markdown]
// ## The reviews it gets most wrong
//
// The test reviews whose predicted probability is furthest from their label. Sarcasm, mixed reviews ("the first half
// is awful but...") and negations ("not bad at all") are what a bag of words cannot read.

// %%
var probabilities = model.Predict(test.X).reshape(-1).to_type(torch.ScalarType.Float64).data<double>().ToArray();
var texts = Enumerable.Range(0, test.Count).Select(i => imdb.Decode(imdb.Test.Sequences[i]));
display(Plot.WorstReviews(texts, test.Labels, probabilities, count: 5));

// %% [markdown]
// ## Transfer: from sentiment to star ratings
//
// Each review's file name holds its 1-10 star rating (1-4 negative, 7-10 positive). The two hidden layers have learnt
// a 16-number summary of a review's sentiment; a rating is a finer reading of the same thing. `TakeLayers(2)` reuses
// those layers (frozen), and a single linear unit learns to map the summary to stars, with mean absolute error as the
// loss (in stars). The baseline is always predicting the median rating.

// %%
torch.Tensor Ratings(ImdbSplit split) => torch.tensor(split.Ratings[..Math.Min(reviews, split.Count)].Select(r => (float)r).ToArray());
var (trainRatings, testRatings) = (new Dataset(train.X, Ratings(imdb.Train)), new Dataset(test.X, Ratings(imdb.Test)));
var rating = model.TakeLayers(2, name: "rating");
// The loss's gradient is +-1 per sample whatever the error, so Adam moves the output ~learningRate per step: 0.05
// lets the output travel from 0 to the 1-10 range in a few epochs.
rating.Freeze().Add(Dense(1)).Compile(optimizer: new Adam(learningRate: 0.05), loss: "mae");
rating.Fit(trainRatings, epochs: quick ? 20 : 40, batchSize: 64, seed: 1, verbose: 0);
var median = trainRatings.Y.median();
Console.WriteLine($"mean error: {rating.Evaluate(testRatings).Loss:F2} stars with the reused layers, "
    + $"{(testRatings.Y - median).abs().mean().item<float>():F2} stars always predicting the median ({median.item<float>()})");

// %% [markdown]
// ## Word order: an Embedding and an LSTM
//
// A bag of words cannot see "not good". An LSTM reads a review word by word and carries a state along. `PadSequences`
// keeps the last 200 words of each review (padding shorter ones with 0 in front); `Embedding` turns each word index into
// 32 numbers learnt with the model; `LSTM(32)` reads those vectors in order and hands its last state to the sigmoid unit.
// Measured on the full data (20,000 training reviews, 10-14 s per epoch on 2 CPU cores): 80.8 % validation
// accuracy after one epoch, 87.6 % after three, then it overfits (test accuracy 86.2 % after six). In quick mode, with a
// few hundred reviews, it stays near chance: recurrent models need data.

// %%
Dataset Padded(ImdbSplit split)
{
    var n = Math.Min(reviews, split.Count);
    return new Dataset(Sequences.PadSequences(split.Sequences.Take(n), maxLen: 200), torch.tensor(split.Labels[..n]));
}
var (trainSeq, testSeq) = (Padded(imdb.Train), Padded(imdb.Test));
var reader = new Sequential(Embedding(10000, 32, inputLength: 200), LSTM(32), Dense(1, activation: "sigmoid"));
reader.Compile(optimizer: "rmsprop", loss: "binary_crossentropy", metrics: ["accuracy"]);
Console.WriteLine(reader.Summary());
var readerHistory = reader.Fit(trainSeq, epochs: 3, batchSize: 128, validationSplit: 0.2, seed: 1, verbose: 2);
display(reader.Evaluate(testSeq));
