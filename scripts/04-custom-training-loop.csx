// Generated from scripts/04-custom-training-loop.cs by scripts/make-csx: edit that file, not this one.
// Walkthrough 4 (C#): a custom training loop. A C# script in dotnet-script's dialect. Run: scripts/csx scripts/04-custom-training-loop.csx
// (TN_QUICK=1: small and fast). The package comes from the repository's local feed (artifacts/feed), which
// scripts/NuGet.config beside this file adds to the sources.
#r "nuget: TransferNotebooks, 0.1.0"

// %% [markdown]
// # 4. A custom training loop, checked against the library
//
// `Fit` hides four steps that every training loop repeats for each batch. Keras writes them with `GradientTape`:
// **forward** (run the model, recording the operations), **loss** (one number saying how wrong it is), **backward**
// (the gradient of the loss for every weight, by the chain rule through the recorded operations) and **step** (the
// optimizer moves each weight a little against its gradient). TorchSharp records operations on any tensor that needs
// gradients, so the "tape" is implicit: `loss.backward()` plays the tape back.
//
// Writing the loop yourself is how you do what `Fit` does not (two models trained together, unusual losses,
// gradient surgery). Here we write it, and check each piece against the library, so we know both agree.

// %%
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using TorchSharp;
using TransferNotebooks.Data;
using TransferNotebooks.Models;
using static TransferNotebooks.Keras;

var quick = Environment.GetEnvironmentVariable("TN_QUICK") == "1";
var here = AppContext.GetData("EntryPointFileDirectoryPath") as string ?? Directory.GetCurrentDirectory();
var repo = Path.GetFullPath(Path.Combine(here, ".."));
var shared = Environment.GetEnvironmentVariable("TRANSFERNOTEBOOKS_SHARED_DATA") ?? Path.Combine(repo, "..", "shared", "data");
string? mnistDir = Directory.Exists(Path.Combine(shared, "mnist")) ? Path.Combine(shared, "mnist")
    : quick ? Path.Combine(repo, "tests", "fixtures", "mnist") : null;

// %% [script]
// A script has no notebook to draw in: `display` prints text.
void display(object value) => Console.WriteLine(value);

// %% [markdown]
// ## Data and model
//
// MNIST digits (all ten), and a small dense network compiled as usual: `Compile` gives us the loss and the optimizer
// objects, which the loop below uses directly.

// %%
var (allTrain, allTest) = Mnist.Load(scale: true, dataDir: mnistDir);
var train = quick ? allTrain.Take(1000, seed: 1) : allTrain;
var test = quick ? allTest.Take(1000, seed: 1) : allTest;
torch.manual_seed(1);
var model = new Sequential(Flatten(inputShape: [28, 28]), Dense(64, activation: "relu"), Dense(10, activation: "softmax"));
model.Compile(optimizer: "adam", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
display(model.Summary());

// %% [markdown]
// ## The loss by hand
//
// For a batch of $N$ samples with predicted class probabilities $p_{i,c}$ (the softmax output) and true classes $y_i$,
// sparse categorical cross-entropy is the average negative log-probability of the true class:
//
// $$L = -\frac{1}{N}\sum_{i=1}^{N} \log p_{i,\,y_i}$$
//
// It is 0 when the model gives the true class probability 1, and grows without bound as that probability goes to 0,
// so confident mistakes cost the most. `gather` picks $p_{i,y_i}$ from each row.

// %%
var x = train.X.narrow(0, 0, 32);
var y = train.Y.narrow(0, 0, 32);
var probabilities = model.Call(x, training: true);                          // forward
var byHand = -probabilities.gather(1, y.unsqueeze(1)).log().mean();        // loss, from the formula
var byLibrary = model.Loss.Compute(y, probabilities);
Console.WriteLine($"by hand {byHand.item<float>():F6}, library {byLibrary.item<float>():F6}");
if (!byHand.allclose(byLibrary, rtol: 1e-5, atol: 1e-6)) throw new Exception("the hand-written loss differs from the library's");

// %% [markdown]
// ## One Adam step by hand
//
// With gradient $g_t$ at step $t$, Adam keeps running averages of the gradient and of its square,
//
// $$m_t = \beta_1 m_{t-1} + (1-\beta_1)\,g_t \qquad v_t = \beta_2 v_{t-1} + (1-\beta_2)\,g_t^2,$$
//
// corrects their bias towards 0 (they start at 0) and moves each weight by
//
// $$\theta_t = \theta_{t-1} - \alpha\,\frac{\sqrt{1-\beta_2^{\,t}}}{1-\beta_1^{\,t}}\;\frac{m_t}{\sqrt{v_t}+\hat\epsilon}$$
//
// (Keras's form, $\alpha = 0.001$, $\beta_1 = 0.9$, $\beta_2 = 0.999$, $\hat\epsilon = 10^{-7}$). Dividing by $\sqrt{v_t}$ gives every
// weight a step of about $\alpha$ whatever the scale of its gradient. We compute the first step by hand, let the
// library's optimizer take it, and compare.

// %%
model.ZeroGrad();
byLibrary.backward();                                                       // backward: fills .grad of every weight
var weights = model.TrainableParameters;
double alpha = 0.001, beta1 = 0.9, beta2 = 0.999, eps = 1e-7, t = 1;
List<torch.Tensor> expected;
using (torch.no_grad())
    expected = weights.Select(w =>
    {
        var g = w.grad!;
        var m = (1 - beta1) * g;                                            // m_1 (m_0 = 0)
        var v = (1 - beta2) * g * g;                                        // v_1 (v_0 = 0)
        var stepSize = alpha * Math.Sqrt(1 - Math.Pow(beta2, t)) / (1 - Math.Pow(beta1, t));
        return w - stepSize * m / (v.sqrt() + eps);
    }).ToList();
model.Optimizer.Step(weights);                                              // step, by the library
var largest = weights.Zip(expected, (w, e) => (w - e).abs().max().item<float>()).Max();
Console.WriteLine($"largest difference between the hand-written and the library's Adam step: {largest:G3}");
if (largest > 1e-6f) throw new Exception("the hand-written Adam step differs from the library's");

// %% [markdown]
// ## The whole loop
//
// The same four steps for every batch of every epoch, with the data shuffled each epoch. `ZeroGrad` first, because
// `backward` adds to the gradients already there. The loss is read with `item` only for the printout.

// %%
const int batchSize = 64;
var epochs = quick ? 2 : 5;
for (var epoch = 1; epoch <= epochs; epoch++)
{
    var order = torch.randperm(train.Count);
    var (xs, ys) = (train.X.index_select(0, order), train.Y.index_select(0, order));
    var total = 0.0;
    for (var start = 0; start < train.Count; start += batchSize)
    {
        var n = Math.Min(batchSize, train.Count - start);
        using var scope = torch.NewDisposeScope();
        model.ZeroGrad();
        var output = model.Call(xs.narrow(0, start, n), training: true);   // forward
        var loss = model.Loss.Compute(ys.narrow(0, start, n), output);     // loss
        loss.backward();                                                    // backward
        model.Optimizer.Step(model.TrainableParameters);                    // step
        total += loss.item<float>() * n;
    }
    Console.WriteLine($"epoch {epoch}: mean training loss {total / train.Count:F4}");
}

// %% [markdown]
// The model trained by our loop is an ordinary model: the library evaluates it like one trained with `Fit`.

// %%
display(model.Evaluate(test));
