// Walkthrough 5 (F#): ants vs bees with an ImageNet ResNet18. Run: dotnet fsi scripts/05-ants-vs-bees.fsx
// The notebook notebooks/05-ants-vs-bees-fsharp.ipynb is built from this file by scripts/make-notebooks.

// %% [markdown]
// # 5. Ants vs bees: transfer learning with an ImageNet ResNet18
//
// 245 training photos of ants and bees (PyTorch's transfer-learning tutorial data) are far too few to train a deep
// network. A ResNet18 trained on ImageNet's 1.2 million photos already computes features that describe insects, legs,
// wings, flowers and backgrounds; we keep it and train only a small head on top. Three arms, on the same photos:
//
// 1. **Frozen features**: run the pretrained network once over every photo, cache its 512 features, train a `Dense` head.
// 2. **Fine-tuning**: Keras's transfer pattern (augmentation, the base called with `training = false`, the head from 1),
//    then the last residual block unfrozen with a low learning rate.
// 3. **From scratch**: the same network with random weights.

// %%
// The packages come from the repository's local feed (artifacts/feed), added by the NuGet.config next to this file.
#r "nuget: TransferNotebooks"
#r "nuget: TransferNotebooks.Applications"

// %%
open System
open System.Diagnostics
open System.IO
open TorchSharp
open TransferNotebooks
open TransferNotebooks.Charts
open TransferNotebooks.Data
open TransferNotebooks.Models
open TransferNotebooks.Optimizers
open type TransferNotebooks.Keras

let quick = Environment.GetEnvironmentVariable "TN_QUICK" = "1"
let repo = Path.GetFullPath(Path.Combine(__SOURCE_DIRECTORY__, ".."))
let shared = Environment.GetEnvironmentVariable "TRANSFERNOTEBOOKS_SHARED_DATA" |> Option.ofObj |> Option.defaultValue (Path.Combine(repo, "..", "shared", "data"))
let dataDir = if quick then Path.Combine(repo, "tests", "fixtures", "hymenoptera") else Path.Combine(shared, "hymenoptera")
let epochs = if quick then 1 else 60          // head on cached features
let fineTuneEpochs = if quick then 1 else 2
let scratchEpochs = if quick then 1 else 2
SetRandomSeed 1                       // new layers start from the same weights on every run, in F# and C#
Directory.CreateDirectory(Path.Combine(repo, "artifacts", "walkthroughs")) |> ignore

// %% [script]
// A script has no notebook to draw in: `display` prints text and writes charts to HTML files.
let charts = ref 0
let display (value: obj) =
    match value with
    | :? Plotly.NET.GenericChart as chart ->
        charts.Value <- charts.Value + 1
        let file = Path.Combine(repo, "artifacts", "walkthroughs", sprintf "05-fsharp-chart-%d.html" charts.Value)
        File.WriteAllText(file, ChartHtml.Page chart)
        printfn "chart written to %s" file
    | v -> printfn "%O" v

// %% [markdown]
// ## The photos
//
// `Hymenoptera.LoadData` reads the JPEGs as torchvision's ImageNet evaluation does (shorter side to 256, central
// 224 x 224 crop): float32 RGB 0-255, labels 0 ants, 1 bees. `Files` keeps the file of each photo.

// %%
let bugs = Hymenoptera.LoadData(dataDir = dataDir)
let train, valData = bugs.Train.Data, bugs.Val.Data
let names = bugs.ClassNames
printfn "train: %O\nval:   %O\nclasses: %s" train valData (String.Join(", ", names))
// Charts get 96 x 96 thumbnails of the same photos (same order), small PNGs in the notebook.
let thumbs, valThumbs = Hymenoptera.Load(dataDir = dataDir, height = 96, width = 96, resizeTo = 110)
display (Plot.ImageGrid(thumbs.Shuffle(seed = 1), count = 16, classNames = names))

// %% [markdown]
// ## The pretrained network
//
// `Applications.ResNet18(includeTop = false, weights = "imagenet", pooling = "avg")` gives the network without a
// classifier, ending in 512 averaged features. It wants its own preprocessing: `ResNet18PreprocessInput` turns RGB 0-255
// into BGR minus ImageNet's mean image, as Keras's `preprocess_input`.

// %%
let baseModel = Applications.ResNet18(includeTop = false, weights = "imagenet", pooling = "avg")
baseModel.Freeze() |> ignore
printfn "%d layers, %d weights, all frozen" baseModel.Layers.Count (baseModel.Summary().NonTrainableParameters)
let trainX = Applications.ResNet18PreprocessInput train.X
let valX = Applications.ResNet18PreprocessInput valData.X

// %% [markdown]
// ## 1. Frozen features, cached, and a new head
//
// The frozen network gives the same 512 numbers for a photo every time, so we compute them **once** with `Predict`
// and keep them as a tensor (`[N, 512]`). Training the head then costs almost nothing per epoch: the expensive
// convolutions run once instead of once per epoch. Keras's transfer-learning guide calls this "feature extraction",
// and ML.NET's image classification trainer does the same (it caches the "bottleneck" values). The price: no data
// augmentation, since each photo's features are fixed. The head is Keras's: `Dropout` (as the guide's) and a `Dense` layer.

// %%
let clock = Stopwatch.StartNew()
let trainFeatures = baseModel.Predict trainX
let valFeatures = baseModel.Predict valX
printfn "features %A in %.0f s" valFeatures.shape clock.Elapsed.TotalSeconds

// %%
let dropout = Dropout(0.5, inputShape = [512])
let head = Dense(2, activation = "softmax", name = "head")
let headModel = new Sequential(dropout, head)
headModel.Compile(optimizer = "adam", loss = "sparse_categorical_crossentropy", metrics = ["accuracy"]) |> ignore
let headHistory =
    headModel.Fit(new Dataset(trainFeatures, train.Y), epochs = epochs, batchSize = 32,
                  validationData = new Dataset(valFeatures, valData.Y), seed = 1, verbose = 0)
let frozenAccuracy = headModel.Evaluate(new Dataset(valFeatures, valData.Y)).Accuracy
let frozenSeconds = clock.Elapsed.TotalSeconds
printfn "frozen features + head: val accuracy %.1f%%, %.0f s in all" (100.0 * frozenAccuracy) frozenSeconds
display (Plot.LearningCurves(headHistory, title = "Head on cached ResNet18 features"))

// %% [markdown]
// ### How much of that is the seed?
//
// 153 validation photos: one photo is 0.65 points. The head's random initial weights and its dropout move the result by a photo
// or two, so a single figure says little; here is the same head trained from ten seeds (seconds, on cached features).

// %%
let seedAccuracies =
    [ for seed in 1 .. (if quick then 2 else 10) ->
        SetRandomSeed seed
        use m = new Sequential(Dropout(0.5, inputShape = [512]), Dense(2, activation = "softmax"))
        m.Compile(optimizer = "adam", loss = "sparse_categorical_crossentropy", metrics = ["accuracy"]) |> ignore
        m.Fit(new Dataset(trainFeatures, train.Y), epochs = epochs, batchSize = 32, seed = seed, verbose = 0) |> ignore
        m.Evaluate(new Dataset(valFeatures, valData.Y)).Accuracy ]
    |> List.sort
printfn "head from %d seeds: min %.1f%%, median %.1f%%, max %.1f%%" seedAccuracies.Length (100.0 * List.head seedAccuracies)
    (100.0 * seedAccuracies.[seedAccuracies.Length / 2]) (100.0 * List.last seedAccuracies)

// %% [markdown]
// ### What it gets wrong
//
// The misclassified validation photos, with the head's probability for each class, and the confusion matrix.

// %%
let probs = headModel.Predict valFeatures
let predicted = probs.argmax(1L).data<int64>().ToArray()
let labels = valData.Labels
let wrong = [| for i in 0 .. valData.Count - 1 do if predicted.[i] <> labels.[i] then int64 i |]
for i in wrong do
    printfn "%-28s true %s  P(ants) %.2f  P(bees) %.2f" (Path.GetFileName bugs.Val.Files.[int i]) names.[int labels.[int i]]
        (probs.[i, 0L].item<float32>()) (probs.[i, 1L].item<float32>())
if wrong.Length > 0 then
    display (Plot.ImageGrid(valThumbs, predicted = predicted, indices = wrong, classNames = names, title = sprintf "%d misclassified of %d" wrong.Length valData.Count)) |> ignore
display (Plot.ConfusionMatrix(labels, predicted, classNames = names))

// %% [markdown]
// ## 2. Fine-tuning, the Keras way
//
// A new model around the base: random flips and rotations (active only while training), the preprocessing as a layer
// (so the model takes raw photos), the base called with `training = false` (its BatchNormalization layers keep their
// ImageNet statistics even once unfrozen) and the **same** `dropout` and `head` layers, so it starts from the weights trained in 1.
// Then we unfreeze the last residual block, `conv5_block3`, and train with a learning rate 100 times below Adam's default:
// large updates would wreck the pretrained features in a few steps. Each epoch now runs the whole network on every photo.

// %%
let inputs = Input [ 224; 224; 3 ]
let augmented = RandomRotation(0.1, seed = 1).Call(RandomFlip("horizontal", seed = 1).Call inputs)
let preprocessed = Applications.ResNet18Preprocessing().Call augmented
let fineTuned = new Functional(inputs, head.Call(dropout.Call(baseModel.Call(preprocessed, training = false))), name = "fine_tuned")
baseModel.Unfreeze(Applications.BlockLayers(baseModel, "conv5_block3")) |> ignore
fineTuned.Compile(optimizer = new Adam(1e-5), loss = "sparse_categorical_crossentropy", metrics = ["accuracy"]) |> ignore
printfn "trainable weights: %d" (fineTuned.Summary().TrainableParameters)

// %%
clock.Restart()
let fineTuneHistory = fineTuned.Fit(train, epochs = fineTuneEpochs, batchSize = 16, validationData = valData, seed = 1, verbose = 0)
let fineTuneAccuracy = fineTuned.Evaluate(valData).Accuracy
let fineTuneSeconds = clock.Elapsed.TotalSeconds
printfn "fine-tuned conv5_block3: val accuracy %.1f%%, %.0f s" (100.0 * fineTuneAccuracy) fineTuneSeconds

// %% [markdown]
// ## 3. The same network from scratch
//
// `weights = null` gives random weights. Everything trains, on 245 photos, for a few epochs.

// %%
let scratchBase = Applications.ResNet18(includeTop = false, weights = null, pooling = "avg")
let scratchInputs = Input [ 224; 224; 3 ]
let flipped = Applications.ResNet18Preprocessing().Call(RandomFlip("horizontal", seed = 1).Call scratchInputs)
let scratch = new Functional(scratchInputs, Dense(2, activation = "softmax").Call(scratchBase.Call flipped), name = "scratch")
scratch.Compile(optimizer = "adam", loss = "sparse_categorical_crossentropy", metrics = ["accuracy"]) |> ignore
clock.Restart()
let scratchHistory = scratch.Fit(train, epochs = scratchEpochs, batchSize = 16, validationData = valData, seed = 1, verbose = 0)
let scratchAccuracy = scratch.Evaluate(valData).Accuracy
let scratchSeconds = clock.Elapsed.TotalSeconds
printfn "from scratch: val accuracy %.1f%%, %.0f s" (100.0 * scratchAccuracy) scratchSeconds

// %% [markdown]
// ## The three arms

// %%
printfn "%-26s val accuracy %.1f%%  %5.0f s" "frozen features + head" (100.0 * frozenAccuracy) frozenSeconds
printfn "%-26s val accuracy %.1f%%  %5.0f s" "fine-tuned conv5_block3" (100.0 * fineTuneAccuracy) fineTuneSeconds
printfn "%-26s val accuracy %.1f%%  %5.0f s" "from scratch" (100.0 * scratchAccuracy) scratchSeconds
display (Plot.Compare([ "frozen + head", headHistory; "fine-tuned", fineTuneHistory; "scratch", scratchHistory ]))
