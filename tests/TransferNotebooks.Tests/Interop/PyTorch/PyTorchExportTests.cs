using TransferNotebooks.Data;
using TransferNotebooks.Layers;
using TransferNotebooks.Models;
using TransferNotebooks.Tests.Data;
using Xunit.Abstractions;
using static TransferNotebooks.Keras;
using static TorchSharp.torch;

namespace TransferNotebooks.Tests.Interop.PyTorch;

/// <summary>
/// Exported models checked with Debian's python3-torch, both ways, on real fixture inputs (MNIST digits, IMDB reviews): model.py with
/// state_dict.pt predicts what Predict predicts; after a seeded SGD step in PyTorch, LoadPyTorchWeights gives Predict what PyTorch
/// then predicts. All cases share one Python run (<see cref="ExportCases"/>).
/// </summary>
public class PyTorchExportTests(PyTorchExportTests.ExportCases cases, ITestOutputHelper output) : IClassFixture<PyTorchExportTests.ExportCases>
{
    const double Tolerance = 1e-5;

    /// <summary>One exported model: its folder, the .NET model, the inputs it was checked on.</summary>
    public sealed record Case(string Name, string Folder, Exported Model, Tensor X, IReadOnlyList<string> LayerTypes);

    /// <summary>What the checks call on a Sequential or a Functional model.</summary>
    public sealed record Exported(Func<Tensor, Tensor> Predict, Func<string, LoadWeightsReport> LoadPyTorchWeights, IReadOnlyList<Layer> Layers)
    {
        public static implicit operator Exported(Sequential m) => new(x => m.Predict(x), p => m.LoadPyTorchWeights(p), m.Layers);
        public static implicit operator Exported(Functional m) => new(x => m.Predict(x), p => m.LoadPyTorchWeights(p), m.Layers);
    }

    /// <summary>Builds, briefly trains and exports every case, then runs check_export.py once on all of them.</summary>
    public sealed class ExportCases : IDisposable
    {
        readonly TestData.TempDir temp = TestData.Temp();
        public Dictionary<string, Case> All { get; } = [];
        /// <summary>Each case's checked differences (out, back), kept because the way back loads new weights into the model.</summary>
        public Dictionary<string, (double Out, double Back)> Checked { get; } = [];
        public string PythonOutput { get; }

        public ExportCases()
        {
            using var train = Fixtures.MnistTrain();
            using var test = Fixtures.MnistTest();
            using var cache = TestData.Temp();
            var imdb = Imdb.LoadData(numWords: 1000, dataDir: TestData.ImdbFixture, sha256: TestData.ImdbFixtureSha256, cacheDir: cache.Path);
            using var reviews = imdb.Train.PadSequences(maxLen: 40);
            var images = test.X.narrow(0, 0, 64);
            var digits = test.Y.narrow(0, 0, 64);
            var imageTrain = train.X.narrow(0, 0, 512);
            var imageLabels = train.Y.narrow(0, 0, 512);
            var tokens = reviews.X.narrow(0, 0, 48);
            var tokenTrain = reviews.X.narrow(0, 0, 256);
            var tokenLabels = reviews.Y.narrow(0, 0, 256);

            Add("mlp", Mlp(), images, digits, imageTrain, imageLabels);
            Add("cnn", Cnn(), images, digits, imageTrain, imageLabels);
            Add("embedding_lstm", EmbeddingLstm(), tokens, null, tokenTrain, tokenLabels);
            Add("gru", Gru(), images, digits, imageTrain, imageLabels);
            Add("gru_reset_before_masked", GruResetBefore(), tokens, null, tokenTrain, tokenLabels);
            Add("residual", Residual(), images, digits, imageTrain, imageLabels);
            Add("merges_reshape", Merges(), images, digits, imageTrain, imageLabels);
            // Untrained: one Fit epoch of this model left NaN weights in 1 of 3 runs here (NaN in Predict and in PyTorch alike, so the
            // weights themselves; the libtorch convolution NaN noted in Conv1D.cs), which made the check flaky. Its layers have no statistics.
            Add("conv1d", Conv1DText(), tokens, null, null, null);
            Add("nested", Nested(), images, digits, imageTrain, imageLabels);
            Add("activations", Activations(), images, null, imageTrain, imageLabels);
            PythonOutput = PythonTorch.Run("check_export.py", All.Values.Select(c => c.Folder), TimeSpan.FromMinutes(8));
        }

        void Add<T>(string name, KerasModel<T> model, Tensor x, Tensor? y, Tensor? xTrain, Tensor? yTrain) where T : KerasModel<T>, TransferNotebooks.Training.ITrainableModel
        {
            if (xTrain is not null) model.Fit(xTrain, yTrain!, epochs: 1, batchSize: 64, verbose: 0, seed: 3); // moves the weights and the normalization statistics off their start
            var folder = temp.Sub(name);
            model.SavePyTorch(folder);
            Npy.Save(Path.Combine(folder, "x.npy"), x);
            if (y is not null) Npy.Save(Path.Combine(folder, "y.npy"), y);
            Exported exported = model switch { Sequential s => s, Functional f => f, _ => throw new NotSupportedException() };
            var types = exported.Layers.SelectMany(l => l is ModelLayer m ? m.Layers.Prepend(l) : [l]).Select(l => l.TypeName).Distinct().ToList();
            All[name] = new Case(name, folder, exported, x, types);
        }

        public void Dispose() => temp.Dispose();
    }

    static Sequential Compiled(Sequential m, string loss) { m.Compile(optimizer: "adam", loss: loss); return m; }
    static Functional Compiled(Functional m, string loss) { m.Compile(optimizer: "adam", loss: loss); return m; }

    static Sequential Mlp()
    {
        manual_seed(1);
        return Compiled(new Sequential(Flatten(inputShape: [28, 28]), Dense(64, activation: "relu"), Dropout(0.2), Dense(10, activation: "softmax")), "sparse_categorical_crossentropy");
    }

    static Sequential Cnn()
    {
        manual_seed(2);
        return Compiled(new Sequential(Conv2D(8, 3, activation: "relu", inputShape: [28, 28, 1]), BatchNormalization(), MaxPooling2D(),
            Conv2D(6, 3, strides: 2, padding: "same", activation: "relu"), AveragePooling2D(3, strides: 2, padding: "same"), MaxPooling2D(2, strides: 1, padding: "same"),
            Flatten(), Dense(10, activation: "softmax")), "sparse_categorical_crossentropy");
    }

    static Sequential EmbeddingLstm()
    {
        manual_seed(3);
        return Compiled(new Sequential(Embedding(1000, 16, inputLength: 40, maskZero: true), LSTM(16, returnSequences: true), LSTM(8, returnSequences: true),
            GlobalAveragePooling1D(), Dense(1, activation: "sigmoid")), "binary_crossentropy");
    }

    static Sequential Gru()
    {
        manual_seed(4);
        return Compiled(new Sequential(GRU(32, inputShape: [28, 28]), BatchNormalization(), Dense(10, activation: "softmax")), "sparse_categorical_crossentropy");
    }

    static Sequential GruResetBefore()
    {
        manual_seed(5);
        return Compiled(new Sequential(Embedding(1000, 12, inputLength: 40, maskZero: true), GRU(10, resetAfter: false, returnSequences: true),
            GRU(6, activation: "relu", recurrentActivation: "hard_sigmoid"), Dense(1, activation: "sigmoid")), "binary_crossentropy");
    }

    static Functional Residual()
    {
        manual_seed(6);
        var inputs = Input([28, 28, 1]);
        var x = Conv2D(8, 3, activation: "relu").Call(inputs);
        var y = Conv2D(8, 3, padding: "same", activation: "relu").Call(x);
        var z = Add().Call(x, y);
        z = BatchNormalization().Call(z);
        var joined = Concatenate().Call(x, z);
        var pooled = MaxPooling2D().Call(joined);
        var outputs = Dense(10, activation: "softmax").Call(GlobalAveragePooling2D().Call(pooled));
        return Compiled(new Functional(inputs, outputs, "residual"), "sparse_categorical_crossentropy");
    }

    static Functional Merges()
    {
        manual_seed(7);
        var inputs = Input([28, 28, 1]);
        var flat = Flatten().Call(inputs);
        var a = Dense(32, activation: "relu").Call(flat);
        var b = Dense(32, activation: "tanh").Call(flat);
        var shared = Dense(32, activation: "sigmoid", name: "shared");
        var merged = Concatenate().Call(Subtract().Call(a, b), Multiply().Call(a, b), Maximum().Call(a, b, shared.Call(a)), Average().Call(a, b, shared.Call(b)));
        var image = Reshape([8, 8, 2]).Call(merged);
        var conv = Conv2D(4, 3, activation: "relu").Call(image);
        var back = Reshape([144]).Call(conv);
        var outputs = Dense(10, activation: "softmax").Call(back);
        return Compiled(new Functional(inputs, outputs, "merges"), "sparse_categorical_crossentropy");
    }

    static Sequential Conv1DText()
    {
        manual_seed(8);
        return Compiled(new Sequential(Embedding(1000, 8, inputLength: 40), Conv1D(8, 5, padding: "same", activation: "relu"), MaxPooling1D(2, padding: "same"),
            Conv1D(8, 3, strides: 2), MaxPooling1D(3, strides: 2, padding: "same"), GlobalMaxPooling1D(), Dense(1, activation: "sigmoid")), "binary_crossentropy");
    }

    static Functional Nested()
    {
        manual_seed(9);
        var features = new Sequential([Conv2D(4, 3, activation: "relu", inputShape: [28, 28, 1]), MaxPooling2D(), Flatten()], "features");
        var inputs = Input([28, 28, 1]);
        var x = features.Call(inputs);
        var outputs = Dense(10, activation: "softmax").Call(Dropout(0.3).Call(x));
        return Compiled(new Functional(inputs, outputs, "nested"), "sparse_categorical_crossentropy");
    }

    static Sequential Activations()
    {
        manual_seed(10);
        string[] names = ["elu", "selu", "gelu", "silu", "softplus", "softsign", "leaky_relu", "relu6", "hard_sigmoid", "exponential", "tanh", "log_softmax", "linear"];
        var layers = new List<Layer> { Rescaling(2.0, offset: -1, inputShape: [28, 28]), Flatten() };
        foreach (var n in names) layers.Add(Dense(8, activation: n));
        layers.Add(Activation("swish"));
        layers.Add(Dense(10, activation: "softmax"));
        return Compiled(new Sequential(layers), "sparse_categorical_crossentropy");
    }

    static bool HasNaN(Tensor t)
    {
        using var nan = t.isnan().any();
        return nan.item<bool>();
    }

    static double MaxDiff(Tensor a, Tensor b)
    {
        Assert.Equal(a.shape, b.shape);
        using var d = (a.to_type(ScalarType.Float64) - b.to_type(ScalarType.Float64)).abs().max();
        return d.item<double>();
    }

    /// <summary>Both directions for one case: (model.py vs Predict, Predict after LoadPyTorchWeights vs PyTorch after its step).</summary>
    (double Out, double Back) Check(string name)
    {
        lock (cases)
        {
            if (!cases.Checked.TryGetValue(name, out var result)) cases.Checked[name] = result = CheckOnce(name);
            return result;
        }
    }

    (double Out, double Back) CheckOnce(string name)
    {
        var c = cases.All[name];
        using var ours = c.Model.Predict(c.X);
        using var theirs = Npy.Load(Path.Combine(c.Folder, "pred.npy"));
        double outward = MaxDiff(ours, theirs);
        Assert.True(outward < Tolerance, $"{name}: model.py predicts {outward:E2} away from Predict (tolerance {Tolerance:E0}); NaN in Predict: {HasNaN(ours)}, in PyTorch: {HasNaN(theirs)}.");

        var report = c.Model.LoadPyTorchWeights(Path.Combine(c.Folder, "after.pt"));
        Assert.Empty(report.Missing);
        Assert.Empty(report.Skipped);
        using var after = c.Model.Predict(c.X);
        using var theirsAfter = Npy.Load(Path.Combine(c.Folder, "pred_after.npy"));
        double back = MaxDiff(after, theirsAfter);
        double moved = MaxDiff(theirsAfter, theirs);
        Assert.True(moved > 1e-4, $"{name}: PyTorch's SGD step should change the predictions (moved {moved:E2}), else the way back proves nothing.");
        Assert.True(back < Tolerance, $"{name}: after loading PyTorch's trained state_dict, Predict is {back:E2} away from PyTorch (tolerance {Tolerance:E0}).");
        output.WriteLine($"{name}: out {outward:E2}, back {back:E2} (moved {moved:E2}); layers {string.Join(", ", c.LayerTypes)}");
        return (outward, back);
    }

    [Fact] public void Mlp_predicts_the_same_in_PyTorch_and_back() => Check("mlp");
    [Fact] public void Cnn_with_batch_norm_and_same_padded_pooling_predicts_the_same_in_PyTorch_and_back() => Check("cnn");
    [Fact] public void Masked_embedding_and_stacked_LSTMs_predict_the_same_in_PyTorch_and_back() => Check("embedding_lstm");
    [Fact] public void Gru_over_image_rows_predicts_the_same_in_PyTorch_and_back() => Check("gru");
    [Fact] public void Gru_with_reset_before_and_a_mask_predicts_the_same_in_PyTorch_and_back() => Check("gru_reset_before_masked");
    [Fact] public void Residual_functional_model_predicts_the_same_in_PyTorch_and_back() => Check("residual");
    [Fact] public void Merge_layers_shared_layers_and_reshapes_predict_the_same_in_PyTorch_and_back() => Check("merges_reshape");
    [Fact] public void Conv1D_text_model_predicts_the_same_in_PyTorch_and_back() => Check("conv1d");
    [Fact] public void Nested_model_predicts_the_same_in_PyTorch_and_back() => Check("nested");
    [Fact] public void Every_builtin_activation_predicts_the_same_in_PyTorch_and_back() => Check("activations");

    [Fact]
    public void Largest_differences_per_layer_type_are_within_tolerance_both_ways()
    {
        var perType = new SortedDictionary<string, (double Out, double Back)>();
        foreach (var name in cases.All.Keys)
        {
            var (o, b) = Check(name);
            foreach (var t in cases.All[name].LayerTypes)
                perType[t] = perType.TryGetValue(t, out var v) ? (Math.Max(v.Out, o), Math.Max(v.Back, b)) : (o, b);
        }
        foreach (var (t, (o, b)) in perType) output.WriteLine($"| {t} | {o:E2} | {b:E2} |");
        string[] covered = ["Dense", "Conv1D", "Conv2D", "MaxPooling1D", "MaxPooling2D", "AveragePooling2D", "GlobalAveragePooling1D", "GlobalAveragePooling2D",
            "GlobalMaxPooling1D", "Flatten", "Reshape", "Dropout", "Activation", "BatchNormalization", "Embedding", "LSTM", "GRU", "Rescaling",
            "Add", "Subtract", "Multiply", "Average", "Maximum", "Concatenate", "Sequential"];
        Assert.Empty(covered.Except(perType.Keys));
    }

    [Fact]
    public void The_state_dict_is_the_models_own_weights_and_model_py_names_them_the_same()
    {
        var c = cases.All["nested"];
        var script = File.ReadAllText(Path.Combine(c.Folder, "model.py"));
        Assert.Contains("self.features = Model_features()", script);
        Assert.Contains("self.conv2d = Conv2D(1, 4, (3, 3), (1, 1), [0, 0, 0, 0], use_bias=True)", script);
        Assert.Contains("if logits:\n            return self.dense(h2)", script);
        using var stream = File.OpenRead(Path.Combine(c.Folder, "state_dict.pt"));
        var stateDict = TorchSharp.PyBridge.PyTorchUnpickler.UnpickleStateDict(stream);
        var keys = stateDict.Keys.Cast<string>().Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(["dense.bias", "dense.kernel", "features.conv2d.bias", "features.conv2d.kernel"], keys);
        foreach (var value in stateDict.Values) ((Tensor)value!).Dispose();
    }
}
