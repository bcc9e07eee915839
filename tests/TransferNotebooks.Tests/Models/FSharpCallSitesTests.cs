using System.Diagnostics;

namespace TransferNotebooks.Tests.Models;

/// <summary>
/// F# call sites of the Keras surface compile as written in the walkthroughs, without casts: the F# compiler (dotnet fsi
/// --typecheckonly) checks them against the library just built. A list of one callback type must pass to Fit and FineTune.
/// </summary>
public class FSharpCallSitesTests
{
    const string CallSites = """
        open TransferNotebooks
        open TransferNotebooks.Models
        open TransferNotebooks.Transfer
        open TransferNotebooks.Training.Callbacks
        open type TransferNotebooks.Keras

        let calls (m: Sequential) (d: Data.Dataset) (rows: float32[,]) (labels: int[]) =
            m.Fit(d.X, d.Y, callbacks = [ EarlyStopping(monitor = "val_loss") ]) |> ignore
            m.Fit(d, epochs = 3, callbacks = [ EarlyStopping(monitor = "val_loss") ]) |> ignore
            m.Fit(d, validationData = d, callbacks = [ ModelCheckpoint("a.tnmodel"); ModelCheckpoint("b.tnmodel") ]) |> ignore
            m.Fit(rows, labels, epochs = 2, callbacks = [ ReduceLROnPlateau() ]) |> ignore
            m.Fit(d.X, d.Y) |> ignore
            m.FineTune(d, epochs = 2, callbacks = [ EarlyStopping(patience = 1) ]) |> ignore
            m.Fit(d, Training.FitOptions.From(epochs = 2, callbacks = [ EarlyStopping(patience = 1) ])) |> ignore
            m.FineTune(d, Training.FitOptions.From(epochs = 2, shuffle = false), freezeEpochs = 1) |> ignore
            m.FineTune(d, epochs = 2, freezeEpochs = 1, validationSplit = 0.1, shuffle = false, classWeight = readOnlyDict [ 0, 2.0 ]) |> ignore
            m.SavePyTorch "exported"
            m.LoadPyTorchWeights("trained.pt", strict = false) |> ignore
            let model = new Sequential([ Flatten(inputShape = [28; 28]); Dense(10, activation = "softmax") ])
            model.Compile(optimizer = "adam", loss = "sparse_categorical_crossentropy", metrics = [ "accuracy" ]) |> ignore
            let augment =
                new Sequential([ RandomFlip("horizontal", seed = 1); RandomRotation(0.1); RandomRotation(struct (-0.05, 0.1), fillMode = "constant")
                                 RandomZoom(0.2); RandomZoom(struct (-0.3, -0.2), struct (0.1, 0.2)); RandomTranslation(0.1, 0.1, seed = 2)
                                 RandomContrast(0.2, valueHigh = 1.0); Resizing(224, 224, cropToAspectRatio = true); CenterCrop(200, 200)
                                 RandomCrop(180, 180, seed = 3) ])
            augment.Summary() |> ignore
        """;

    /// <summary>Every loader and Split destructure with <c>let a, b = ...</c>; models load with one Model.Load and save by extension or format.</summary>
    const string DataAndModelFileCallSites = """
        open TransferNotebooks
        open TransferNotebooks.Data
        open TransferNotebooks.Models

        let loads (dir: string) (m: Sequential) =
            let train, test = Mnist.Load(scale = true, dataDir = dir)
            let train2, test2 = Mnist.Load(dataDir = dir, cacheDir = dir, download = false, verify = false)
            let reviews, testReviews = Imdb.Load(numWords = 10000, dataDir = dir, cacheDir = dir, download = false, verify = true)
            let text: string = reviews.Decode(reviews.Sequences.[0])
            let wordIndex = reviews.Data.WordIndex
            let imdb = Imdb.LoadData(numWords = 10000, dataDir = dir)
            let images, classNames = ImageFolder.Load(dataDir = dir, height = 32, width = 32)
            let npzTrain, npzTest = Npy.Load(dir + "/mnist.npz", "train", "test")
            let bugsTrain, bugsVal = Hymenoptera.Load(dataDir = dir)
            let photos, photoClasses = ImageFolder.Load(dir, 224, 224, resizeTo = 256, skipUnreadable = true)
            let bugs = Hymenoptera.LoadData(height = 160, width = 160, resizeTo = System.Nullable(), cropToAspectRatio = true, dataDir = dir)
            ignore (bugsTrain, bugsVal, photos, photoClasses, bugs.ClassNames)
            let fitPart, validation = train.Split 0.1
            let model: KerasModel = Model.Load(dir + "/m.tnmodel")
            let typed: Sequential = Model.Load<Sequential>(dir + "/m.tnmodel")
            m.Save(dir + "/m.tnmodel")
            m.Save(dir + "/m.keras")
            m.Save(dir + "/m.bin", format = ModelFormat.Keras)
            m.Save(dir + "/m.tnmodel", includeOptimizer = true)
            (test, train2, test2, testReviews, text, wordIndex, imdb.Train, images, classNames, npzTrain, npzTest, fitPart, validation, model, typed)
        """;

    /// <summary>The functional API reads as in Keras: layer calls on symbolic tensors, merges, a model called as a layer, Functional(inputs, outputs).</summary>
    const string FunctionalCallSites = """
        open TransferNotebooks
        open TransferNotebooks.Models
        open TransferNotebooks.Training.Callbacks
        open TransferNotebooks.Transfer
        open type TransferNotebooks.Keras

        let functional (pretrained: Sequential) (d: Data.Dataset) =
            let inputs = Input [ 28; 28; 1 ]
            let x = Conv2D(8, 3, activation = "relu").Call(inputs)
            let y = Conv2D(8, 3, padding = "same", activation = "relu").Call x
            let z = Add().Call(x, y)
            let joined = Concatenate().Call [ x; y ]
            let averaged = Average().Call(x, y, z)
            let features = pretrained.Call(inputs, training = false)
            let outputs = Dense(10, activation = "softmax").Call(Flatten().Call(MaxPooling2D().Call z))
            let model = new Functional(inputs, outputs)
            model.Compile(optimizer = "adam", loss = "sparse_categorical_crossentropy", metrics = [ "accuracy" ]) |> ignore
            model.Fit(d, epochs = 2, callbacks = [ EarlyStopping(patience = 1) ]) |> ignore
            model.Fit(d.X, d.Y, epochs = 1, batchSize = 64) |> ignore
            model.Freeze [ "conv2d" ] |> ignore
            model.Layers.["conv2d_1"].Trainable <- false
            model.Unfreeze() |> ignore
            model.Save "m.tnmodel"
            let loaded: Functional = Model.Load<Functional> "m.tnmodel"
            let any = Model.Load "m.tnmodel"
            any.Freeze(upTo = -1).ReplaceHead(5) |> ignore
            let ft = any.FineTune(d, epochs = 1, freezeEpochs = 1, verbose = 0)
            let nested = new Functional(inputs, Dense(10).Call(loaded.Call(inputs, training = false)))
            (joined, averaged, features, nested, model.Summary(), model.Predict(d.X))
        """;

    [Fact]
    public void The_functional_API_reads_in_F_sharp_as_in_Keras() => TypeCheck(FunctionalCallSites);

    [Fact]
    public void Loaders_and_Split_destructure_as_F_sharp_tuples_and_models_load_and_save_in_one_way() => TypeCheck(DataAndModelFileCallSites);

    [Fact]
    public void Fit_and_FineTune_take_F_sharp_lists_of_one_callback_type() => TypeCheck(CallSites);

    static void TypeCheck(string callSites)
    {
        var dir = Directory.CreateTempSubdirectory("tn-fsharp-calls-");
        try
        {
            var refs = string.Join("\n", new[] { "TorchSharp.dll", "TransferNotebooks.dll" }
                .Select(f => $"#r @\"{Path.Combine(AppContext.BaseDirectory, f)}\""));
            var script = Path.Combine(dir.FullName, "calls.fsx");
            File.WriteAllText(script, refs + "\n" + callSites.Replace("\r\n", "\n"));
            var (code, output) = Run("dotnet", $"fsi --typecheckonly --nologo \"{script}\"");
            var problems = output.Split('\n').Where(l => l.Contains("error FS") || (l.Contains("warning FS") && !l.Contains("FS0075"))).ToList();
            Assert.True(code == 0 && problems.Count == 0, $"F# call sites did not type-check (exit {code}):\n{output}");
        }
        finally { dir.Delete(recursive: true); }
    }

    static (int Code, string Output) Run(string file, string args)
    {
        var psi = new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(3))) { p.Kill(true); return (-1, "dotnet fsi timed out"); }
        return (p.ExitCode, stdout.Result + stderr.Result);
    }
}
