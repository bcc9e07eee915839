// Walkthrough 2 (F#): transfer learning to new digits. Run: dotnet fsi scripts/02-mnist-fine-tuning.fsx (after walkthrough 1)
// The notebook notebooks/02-mnist-fine-tuning-fsharp.ipynb is built from this file by scripts/make-notebooks.

// %% [markdown]
// # 2. MNIST: transfer learning to new digits with few labels
//
// Walkthrough 1 trained a CNN on the digits 0-4 only. Here it learns the digits 5-9 from just 10 labelled examples of
// each. Why this can work: the convolutional layers learnt to detect strokes, curves and corners, and 5-9 are made of
// the same parts; only the last layer, which maps those parts to the five *old* classes, belongs to the old task.
// So we keep the body, frozen, and train a new last layer (the "head"), then compare with a model trained from scratch
// on the same 50 images.

// %%
// The package comes from the repository's local feed (artifacts/feed), added by the NuGet.config next to this file.
#r "nuget: TransferNotebooks"

// %%
open System
open System.IO
open TransferNotebooks
open TransferNotebooks.Charts
open TransferNotebooks.Data
open TransferNotebooks.Models
open TransferNotebooks.Transfer
open type TransferNotebooks.Keras

let quick = Environment.GetEnvironmentVariable "TN_QUICK" = "1"
let repo = Path.GetFullPath(Path.Combine(__SOURCE_DIRECTORY__, ".."))
let shared = Environment.GetEnvironmentVariable "TRANSFERNOTEBOOKS_SHARED_DATA" |> Option.ofObj |> Option.defaultValue (Path.Combine(repo, "..", "shared", "data"))
let mnistDir =
    if Directory.Exists(Path.Combine(shared, "mnist")) then Path.Combine(shared, "mnist")
    elif quick then Path.Combine(repo, "tests", "fixtures", "mnist")
    else null
let modelPath = Path.Combine(repo, "artifacts", "walkthroughs", "mnist-0-4.tnmodel")
if not (File.Exists modelPath) then failwithf "%s is missing: run walkthrough 1 (01-mnist-pretraining) first; it saves the pretrained model." modelPath

// %% [script]
// A script has no notebook to draw in: `display` prints text and writes charts to HTML files.
let charts = ref 0
let display (value: obj) =
    match value with
    | :? Plotly.NET.GenericChart as chart ->
        charts.Value <- charts.Value + 1
        let file = Path.Combine(repo, "artifacts", "walkthroughs", sprintf "02-fsharp-chart-%d.html" charts.Value)
        File.WriteAllText(file, ChartHtml.Page chart)
        printfn "chart written to %s" file
    | v -> printfn "%A" v

// %% [markdown]
// ## A few labels of new digits
//
// `WhereLabel([5 .. 9], remap = true)` keeps the digits 5-9 and renumbers them 0-4, the outputs of the new head.
// `TakePerClass(10)` keeps 10 random examples of each digit: the few-labels setting where transfer pays off.

// %%
let allTrain, allTest = Mnist.Load(scale = true, dataDir = mnistDir)
let fewLabels = allTrain.WhereLabel([5 .. 9], remap = true).TakePerClass(10, seed = 1)
let test = if quick then allTest.WhereLabel([5 .. 9], remap = true).Take(500, seed = 1) else allTest.WhereLabel([5 .. 9], remap = true)
let names = [ for d in 5 .. 9 -> string d ]
let epochs = if quick then 16 else 40
printfn "%O" fewLabels
display (Plot.ImageGrid(fewLabels, count = 16, classNames = names))

// %% [markdown]
// ## The pretrained model
//
// `Model.Load` rebuilds the model from the file alone (layer types and settings, weights): no code for its architecture.

// %%
let pretrained = Model.Load(modelPath)
display (pretrained.Summary())

// %% [markdown]
// ## Freeze the body, give it a new head
//
// `Freeze()` switches every layer's `Trainable` off: the optimizer leaves their weights alone. `ReplaceHead(5)` swaps
// the last Dense layer (0-4) for a fresh, trainable one (5-9). With 50 images, a few thousand head weights can be fitted;
// the CNN's ~20,000 body weights could not, and would just memorise the 50 images.

// %%
let transfer = Model.Load(modelPath)
transfer.Freeze().ReplaceHead(5) |> ignore
transfer.Compile(optimizer = "adam", loss = "sparse_categorical_crossentropy", metrics = ["accuracy"]) |> ignore
display (transfer.Summary())

// %%
let transferHistory = transfer.Fit(fewLabels, epochs = epochs, batchSize = 16, seed = 1, verbose = 0)
display (transfer.Evaluate(test))

// %% [markdown]
// ## Compare with training from scratch
//
// The same CNN, with random weights, trained on the same 50 images for the same epochs. Training from scratch needs
// the architecture in code; transfer did not. A third arm, `FineTune`, trains the new head first and then unfreezes
// everything with small learning rates for the early layers (they need the least change). How much transfer gains
// depends on how good the pretrained features are: in quick mode the CNN saw 1,000 digits for 2 epochs, so the
// numbers are noisy; with the full run of walkthrough 1 the frozen body is a much better start than random weights.

// %%
let scratch =
    new Sequential(
        Conv2D(32, 3, activation = "relu", inputShape = [28; 28; 1]), MaxPooling2D(2),
        Conv2D(64, 3, activation = "relu"), MaxPooling2D(2),
        Flatten(), Dropout(0.5), Dense(5, activation = "softmax"))
scratch.Compile(optimizer = "adam", loss = "sparse_categorical_crossentropy", metrics = ["accuracy"]) |> ignore
let scratchHistory = scratch.Fit(fewLabels, epochs = epochs, batchSize = 16, seed = 1, verbose = 0)

let fineTuned = Model.Load(modelPath).ReplaceHead(5)
fineTuned.Compile(optimizer = "adam", loss = "sparse_categorical_crossentropy", metrics = ["accuracy"]) |> ignore
let fineTuneHistory = fineTuned.FineTune(fewLabels, epochs = epochs / 2, freezeEpochs = epochs / 2, batchSize = 16, seed = 1, verbose = 0).Combined

// %%
let results =
    [ "frozen body + new head", transfer, transferHistory
      "fine-tuned (FineTune)", fineTuned, fineTuneHistory
      "from scratch", scratch, scratchHistory ]
for name, model, _ in results do
    let r = model.Evaluate(test)
    printfn "%-24s test accuracy %.4f  test loss %.4f  trainable weights %d" name r.Accuracy r.Loss (model.Summary().TrainableParameters)

// %%
display (Plot.Compare([ for name, _, history in results -> name, history ]))

// %% [markdown]
// ## The Keras way: the pretrained model as a layer of a new model
//
// Keras's transfer-learning guide builds a *new* model around the pretrained one with the functional API:
// `inputs = keras.Input(shape)`, `x = base_model(inputs, training=False)`, a new head on `x`, `keras.Model(inputs, outputs)`.
// The same here: `Input`, `Call` a model or layer on a symbolic tensor, `Functional(inputs, outputs)`. The body is
// walkthrough 1's CNN without its 0-4 head (`Pop()`), frozen; `training = false` keeps it in inference mode even while
// the new model trains (its Dropout stays off, as BatchNormalization would keep its statistics). The summary shows the
// nested model as one frozen row, with what each layer is connected to.

// %%
let body = Model.Load<Sequential>(modelPath)
body.Pop().Dispose()
body.Freeze() |> ignore
let inputs = Input [ 28; 28; 1 ]
let features = body.Call(inputs, training = false)
let outputs = Dense(5, activation = "softmax").Call(Dropout(0.2).Call features)
let kerasWay = new Functional(inputs, outputs, name = "transfer_functional")
kerasWay.Compile(optimizer = "adam", loss = "sparse_categorical_crossentropy", metrics = ["accuracy"]) |> ignore
display (kerasWay.Summary())

// %%
let kerasWayHistory = kerasWay.Fit(fewLabels, epochs = epochs, batchSize = 16, seed = 1, verbose = 0)
display (kerasWay.Evaluate(test))

// %% [markdown]
// ## The frozen weights did not move
//
// Freezing is a promise: the body is exactly the pretrained one. The `Drift` column of the summary is the largest
// change of each frozen layer's weights since it was frozen; below we also compare every weight with a fresh copy
// loaded from the file. Only the new head differs.

// %%
display (transfer.Summary())
let original = pretrained.NamedWeights()
for KeyValue(name, weight) in transfer.NamedWeights() do
    printfn "%-16s largest change %g" name ((weight - original.[name]).abs().max().item<float32>())

// %% [markdown]
// ## Predict on new images
//
// Test digits the model has never seen, with its predictions (labels 0-4 stand for the digits 5-9).

// %%
let newImages = test.Take(16, seed = 7)
display (Plot.ImageGrid(newImages, predicted = transfer.PredictClasses(newImages.X), classNames = names))

// %% [markdown]
// ## Starting from a model saved by Keras
//
// `Model.Load` also reads models saved by Keras, recognising the file by its content: `.h5` files from Keras 2 and 3 and
// `.keras` zips, architecture, weights and compile settings, with no code for the architecture. This small CNN is stored in
// Keras 3's `.keras` layout (its weights are random, so it starts at chance); the same steps apply: new head, freeze
// the body, train on the 50 labelled images.

// %%
let kerasModel = Model.Load(Path.Combine(repo, "tests", "fixtures", "keras", "mnist_cnn.keras"))
display (kerasModel.Summary())
kerasModel.ReplaceHead(5).Freeze(upTo = -1) |> ignore
kerasModel.Compile(optimizer = "adam", loss = "sparse_categorical_crossentropy", metrics = ["accuracy"]) |> ignore
kerasModel.Fit(fewLabels, epochs = epochs, batchSize = 16, seed = 1, verbose = 0) |> ignore
printfn "Keras-saved CNN with a new head: test accuracy %.4f" (kerasModel.Evaluate(test).Accuracy)
