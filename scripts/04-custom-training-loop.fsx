// Walkthrough 4 (F#): a custom training loop. Run: dotnet fsi scripts/04-custom-training-loop.fsx   (TN_QUICK=1: fast)
// The notebook notebooks/04-custom-training-loop-fsharp.ipynb is built from this file by scripts/make-notebooks.

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
// The package comes from the repository's local feed (artifacts/feed), added by the NuGet.config next to this file.
#r "nuget: TransferNotebooks"

// %%
open System
open System.IO
open TorchSharp
open TransferNotebooks
open TransferNotebooks.Data
open TransferNotebooks.Models
open type TransferNotebooks.Keras

let quick = Environment.GetEnvironmentVariable "TN_QUICK" = "1"
let repo = Path.GetFullPath(Path.Combine(__SOURCE_DIRECTORY__, ".."))
let shared = Environment.GetEnvironmentVariable "TRANSFERNOTEBOOKS_SHARED_DATA" |> Option.ofObj |> Option.defaultValue (Path.Combine(repo, "..", "shared", "data"))
let mnistDir =
    if Directory.Exists(Path.Combine(shared, "mnist")) then Path.Combine(shared, "mnist")
    elif quick then Path.Combine(repo, "tests", "fixtures", "mnist")
    else null

// %% [script]
// A script has no notebook to draw in: `display` prints text.
let display (value: obj) = printfn "%A" value

// %% [markdown]
// ## Data and model
//
// MNIST digits (all ten), and a small dense network compiled as usual: `Compile` gives us the loss and the optimizer
// objects, which the loop below uses directly.

// %%
let allTrain, allTest = Mnist.Load(scale = true, dataDir = mnistDir)
let train = if quick then allTrain.Take(1000, seed = 1) else allTrain
let test = if quick then allTest.Take(1000, seed = 1) else allTest
torch.manual_seed(1L) |> ignore
let model = new Sequential(Flatten(inputShape = [28; 28]), Dense(64, activation = "relu"), Dense(10, activation = "softmax"))
model.Compile(optimizer = "adam", loss = "sparse_categorical_crossentropy", metrics = ["accuracy"]) |> ignore
display (model.Summary())

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
let x = train.X.narrow(0L, 0L, 32L)
let y = train.Y.narrow(0L, 0L, 32L)
let probabilities = model.Call(x, training = true)                          // forward
let byHand = -(probabilities.gather(1L, y.unsqueeze(1L)).log().mean())       // loss, from the formula
let byLibrary = model.Loss.Compute(y, probabilities)
printfn "by hand %.6f, library %.6f" (byHand.item<float32>()) (byLibrary.item<float32>())
if not (byHand.allclose(byLibrary, rtol = 1e-5, atol = 1e-6)) then failwith "the hand-written loss differs from the library's"

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
model.ZeroGrad()
byLibrary.backward()                                                         // backward: fills .grad of every weight
let weights = model.TrainableParameters
let alpha, beta1, beta2, eps, t = 0.001, 0.9, 0.999, 1e-7, 1.0
let expected =
    [ for w in weights ->
        use _ = torch.no_grad()
        let g = w.grad
        let m = (1.0 - beta1) * g                                            // m_1 (m_0 = 0)
        let v = (1.0 - beta2) * g * g                                        // v_1 (v_0 = 0)
        let stepSize = alpha * sqrt (1.0 - beta2 ** t) / (1.0 - beta1 ** t)
        w - stepSize * m / (v.sqrt() + eps) ]
model.Optimizer.Step(weights)                                                // step, by the library
let largest = List.map2 (fun (w: torch.Tensor) (e: torch.Tensor) -> (w - e).abs().max().item<float32>()) (List.ofSeq weights) expected |> List.max
printfn "largest difference between the hand-written and the library's Adam step: %g" largest
if largest > 1e-6f then failwith "the hand-written Adam step differs from the library's"

// %% [markdown]
// ## The whole loop
//
// The same four steps for every batch of every epoch, with the data shuffled each epoch. `ZeroGrad` first, because
// `backward` adds to the gradients already there. The loss is read with `item` only for the printout.

// %%
let batchSize = 64L
let epochs = if quick then 2 else 5
for epoch in 1 .. epochs do
    let order = torch.randperm(int64 train.Count)
    let xs, ys = train.X.index_select(0L, order), train.Y.index_select(0L, order)
    let mutable total = 0.0
    for start in 0L .. batchSize .. int64 train.Count - 1L do
        let n = min batchSize (int64 train.Count - start)
        use scope = torch.NewDisposeScope()
        model.ZeroGrad()
        let output = model.Call(xs.narrow(0L, start, n), training = true)   // forward
        let loss = model.Loss.Compute(ys.narrow(0L, start, n), output)      // loss
        loss.backward()                                                      // backward
        model.Optimizer.Step(model.TrainableParameters)                      // step
        total <- total + float (loss.item<float32>()) * float n
    printfn "epoch %d: mean training loss %.4f" epoch (total / float train.Count)

// %% [markdown]
// The model trained by our loop is an ordinary model: the library evaluates it like one trained with `Fit`.

// %%
display (model.Evaluate(test))
