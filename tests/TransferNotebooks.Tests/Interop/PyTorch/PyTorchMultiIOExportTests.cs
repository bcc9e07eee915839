using TransferNotebooks.Data;
using TransferNotebooks.Models;
using TransferNotebooks.Tests.Data;
using Xunit.Abstractions;
using static TransferNotebooks.Keras;
using static TorchSharp.torch;

namespace TransferNotebooks.Tests.Interop.PyTorch;

/// <summary>
/// Functional models with several inputs and/or several outputs exported with SavePyTorch and checked with the system's torch on
/// MNIST fixture digits, both ways, through check_export.py: model.py's forward(*inputs) gives what PredictOutputs (and Predict)
/// give, and after a seeded SGD step in PyTorch (the outputs' losses added), LoadPyTorchWeights gives what PyTorch then predicts.
/// All cases share one Python run (<see cref="MultiCases"/>).
/// </summary>
public class PyTorchMultiIOExportTests(PyTorchMultiIOExportTests.MultiCases cases, ITestOutputHelper output) : IClassFixture<PyTorchMultiIOExportTests.MultiCases>
{
    const double Tolerance = 1e-5;

    /// <summary>One exported model with the inputs it was checked on (one tensor per model input).</summary>
    public sealed record Case(string Name, string Folder, Functional Model, Tensor[] X);

    /// <summary>Builds, briefly trains and exports every case, then runs check_export.py once on all of them.</summary>
    public sealed class MultiCases : IDisposable
    {
        readonly TestData.TempDir temp = TestData.Temp();
        public Dictionary<string, Case> All { get; } = [];
        /// <summary>Each case's checked differences (out, back), kept because the way back loads new weights into the model.</summary>
        public Dictionary<string, (double Out, double Back)> Checked { get; } = [];
        public string PythonOutput { get; }

        public MultiCases()
        {
            using var train = Fixtures.MnistTrain();
            using var test = Fixtures.MnistTest();
            var images = test.X.narrow(0, 0, 64).contiguous();
            var digits = test.Y.narrow(0, 0, 64).contiguous();
            var parity = digits.remainder(2);
            var trainImages = train.X.narrow(0, 0, 512).contiguous();
            var trainDigits = train.Y.narrow(0, 0, 512).contiguous();
            var trainParity = trainDigits.remainder(2);

            // Two inputs, one output: the left and right halves of each digit ([N, 28, 14] grayscale, as Predict takes them).
            var twoInputs = TwoHalves();
            twoInputs.Fit(new[] { LeftHalf(trainImages), RightHalf(trainImages) }, trainDigits, epochs: 1, batchSize: 64, verbose: 0, seed: 3);
            Add("two_inputs", twoInputs, [LeftHalf(images), RightHalf(images)], [digits]);

            // One input, two outputs: digit and parity heads.
            var twoOutputs = DigitAndParity();
            twoOutputs.Fit(trainImages, new[] { trainDigits, trainParity }, epochs: 1, batchSize: 64, verbose: 0, seed: 3);
            Add("two_outputs", twoOutputs, [images], [digits, parity]);

            // Both: top and bottom halves in (the bottom one as [N, 14, 28, 1]), three outputs out: the digit, a sigmoid parity head
            // that also reads the digit output, and a feature map (an image output, channels last as PredictOutputs gives it).
            // Untrained: the image output has no labels here; PyTorch's step trains it on the mean square.
            Add("inputs_and_outputs", HalvesToThreeHeads(), [TopHalf(images), BottomHalf(images).unsqueeze(-1)], [digits, null, null]);
            PythonOutput = PythonTorch.Run("check_export.py", All.Values.Select(c => c.Folder), TimeSpan.FromMinutes(5));
        }

        void Add(string name, Functional model, Tensor[] x, Tensor?[] y)
        {
            var folder = temp.Sub(name);
            model.SavePyTorch(folder);
            for (int k = 0; k < x.Length; k++) Npy.Save(Path.Combine(folder, x.Length == 1 ? "x.npy" : $"x{k}.npy"), x[k]);
            for (int k = 0; k < y.Length; k++)
                if (y[k] is { } labels) Npy.Save(Path.Combine(folder, y.Length == 1 ? "y.npy" : $"y{k}.npy"), labels);
            All[name] = new Case(name, folder, model, x);
        }

        public void Dispose()
        {
            foreach (var c in All.Values) c.Model.Dispose();
            temp.Dispose();
        }
    }

    static Tensor LeftHalf(Tensor x) => x.narrow(2, 0, 14).contiguous();
    static Tensor RightHalf(Tensor x) => x.narrow(2, 14, 14).contiguous();
    static Tensor TopHalf(Tensor x) => x.narrow(1, 0, 14).contiguous();
    static Tensor BottomHalf(Tensor x) => x.narrow(1, 14, 14).contiguous();

    static Functional TwoHalves()
    {
        manual_seed(21);
        var left = Input([28, 14, 1], name: "left");
        var right = Input([28, 14, 1], name: "right");
        var a = Flatten().Call(MaxPooling2D().Call(Conv2D(6, 3, activation: "relu").Call(left)));
        var b = Flatten().Call(MaxPooling2D().Call(Conv2D(6, 3, activation: "relu").Call(right)));
        var outputs = Dense(10, activation: "softmax").Call(Concatenate().Call(a, b));
        var model = new Functional([left, right], outputs, "two_halves");
        model.Compile(optimizer: "adam", loss: "sparse_categorical_crossentropy");
        return model;
    }

    static Functional DigitAndParity()
    {
        manual_seed(22);
        var inputs = Input([28, 28, 1]);
        var features = Flatten().Call(MaxPooling2D().Call(Conv2D(8, 3, activation: "relu").Call(inputs)));
        var digit = Dense(10, activation: "softmax", name: "digit").Call(features);
        var parity = Dense(2, activation: "softmax", name: "parity").Call(features);
        var model = new Functional(inputs, [digit, parity], "digit_and_parity");
        model.Compile(optimizer: "adam", loss: "sparse_categorical_crossentropy");
        return model;
    }

    static Functional HalvesToThreeHeads()
    {
        manual_seed(23);
        var top = Input([14, 28, 1], name: "top");
        var bottom = Input([14, 28, 1], name: "bottom");
        var a = Conv2D(4, 3, activation: "relu").Call(top);
        var b = Conv2D(4, 3, activation: "relu").Call(bottom);
        var map = Conv2D(2, 3, activation: "sigmoid", name: "feature_map").Call(a);
        var hidden = Dense(16, activation: "relu").Call(Concatenate().Call(Flatten().Call(MaxPooling2D().Call(a)), Flatten().Call(MaxPooling2D().Call(b))));
        var digit = Dense(10, activation: "softmax", name: "digit").Call(hidden);
        var parity = Dense(1, activation: "sigmoid", name: "parity").Call(Concatenate().Call(hidden, digit));
        var model = new Functional([top, bottom], [digit, parity, map], "halves_to_three_heads");
        model.Compile(optimizer: "adam", loss: "mean_squared_error");
        return model;
    }

    static double MaxDiff(Tensor a, Tensor b)
    {
        Assert.Equal(a.shape, b.shape);
        using var d = (a.to_type(ScalarType.Float64) - b.to_type(ScalarType.Float64)).abs().max();
        return d.item<double>();
    }

    /// <summary>PyTorch's outputs saved under <paramref name="stem"/> (pred, pred_after): one file per output, or one for a single output.</summary>
    static Tensor[] Theirs(Case c, string stem) => c.Model.Outputs.Count == 1
        ? [Npy.Load(Path.Combine(c.Folder, $"{stem}.npy"))]
        : Enumerable.Range(0, c.Model.Outputs.Count).Select(k => Npy.Load(Path.Combine(c.Folder, $"{stem}{k}.npy"))).ToArray();

    Tensor[] Ours(Case c) => c.X.Length == 1 ? c.Model.PredictOutputs(c.X[0]) : c.Model.PredictOutputs(c.X);

    /// <summary>Largest difference over the outputs; each output's shape must match PredictOutputs's.</summary>
    static double MaxDiff(Tensor[] ours, Tensor[] theirs)
    {
        Assert.Equal(ours.Length, theirs.Length);
        return ours.Zip(theirs).Max(p => MaxDiff(p.First, p.Second));
    }

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
        var ours = Ours(c);
        var theirs = Theirs(c, "pred");
        double outward = MaxDiff(ours, theirs);
        Assert.True(outward < Tolerance, $"{name}: model.py predicts {outward:E2} away from PredictOutputs (tolerance {Tolerance:E0}).");
        // Predict gives the same values side by side: each output flattened per sample, in output order.
        using var packed = c.X.Length == 1 ? c.Model.Predict(c.X[0]) : c.Model.Predict(c.X);
        using var theirsPacked = cat(theirs.Select(t => t.reshape(t.shape[0], -1)).ToList(), 1);
        double packedDiff = MaxDiff(packed, theirsPacked);
        Assert.True(packedDiff < Tolerance, $"{name}: model.py's outputs side by side are {packedDiff:E2} away from Predict.");

        var report = c.Model.LoadPyTorchWeights(Path.Combine(c.Folder, "after.pt"));
        Assert.Empty(report.Missing);
        Assert.Empty(report.Skipped);
        var after = Ours(c);
        var theirsAfter = Theirs(c, "pred_after");
        double back = MaxDiff(after, theirsAfter);
        double moved = MaxDiff(theirsAfter, theirs);
        Assert.True(moved > 1e-4, $"{name}: PyTorch's SGD step should change the predictions (moved {moved:E2}), else the way back proves nothing.");
        Assert.True(back < Tolerance, $"{name}: after loading PyTorch's trained state_dict, PredictOutputs is {back:E2} away from PyTorch (tolerance {Tolerance:E0}).");
        output.WriteLine($"{name}: out {outward:E2} (Predict {packedDiff:E2}), back {back:E2} (moved {moved:E2})");
        foreach (var t in ours.Concat(theirs).Concat(after).Concat(theirsAfter)) t.Dispose();
        return (outward, back);
    }

    [Fact] public void Two_input_model_predicts_the_same_in_PyTorch_and_back() => Check("two_inputs");
    [Fact] public void Two_output_model_predicts_the_same_in_PyTorch_and_back() => Check("two_outputs");
    [Fact] public void Two_input_three_output_model_with_an_image_output_predicts_the_same_in_PyTorch_and_back() => Check("inputs_and_outputs");

    [Fact]
    public void Model_py_takes_one_tensor_per_input_and_returns_a_tuple_in_output_order()
    {
        var script = File.ReadAllText(Path.Combine(cases.All["inputs_and_outputs"].Folder, "model.py"));
        Assert.Contains("    input_names = (\"top\", \"bottom\")\n", script);
        Assert.Contains("    input_shapes = ((14, 28, 1), (14, 28, 1))\n", script);
        Assert.Contains("    output_names = (\"digit\", \"parity\", \"feature_map\")\n", script);
        Assert.Contains("    output_shapes = ((10,), (1,), (10, 24, 2))\n", script);
        Assert.Contains("    output_activations = (\"softmax\", \"sigmoid\", \"sigmoid\")\n", script);
        Assert.Contains("def forward(self, *inputs, logits=False):", script);
        Assert.Contains("def call(self, h0, h1, logits=False):", script);
        Assert.Matches(@"return \(self\.keras_output\(\w+, 0\), self\.keras_output\(\w+, 1\), self\.keras_output\(\w+, 2\)\)", script);
        // The digit output is read by the parity head too: its logits are computed beside the activated value it passes on.
        Assert.Matches(@"z\d+ = self\.digit\(h\d+\) if logits else h\d+", script);

        var single = File.ReadAllText(Path.Combine(cases.All["two_inputs"].Folder, "model.py"));
        Assert.Contains("    output_activation = \"softmax\"\n", single);
        Assert.DoesNotContain("keras_output", single);
        Assert.Contains("if logits:\n            return self.dense(", single);
    }

    [Fact]
    public void Logits_give_each_output_without_its_activation()
    {
        var c = cases.All["two_outputs"];
        var script = Path.Combine(c.Folder, "model.py");
        var code = $$"""
            import importlib.util, sys, numpy as np, torch
            spec = importlib.util.spec_from_file_location("m", sys.argv[1]); m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)
            model = m.load(sys.argv[2])
            x = torch.from_numpy(np.load(sys.argv[3]))
            with torch.no_grad():
                probs, logits = model(x), model(x, logits=True)
            assert isinstance(probs, tuple) and len(probs) == 2, type(probs)
            print(max(float((torch.softmax(l, -1) - p).abs().max()) for p, l in zip(probs, logits)), float((logits[0] - probs[0]).abs().max()))
            try:
                model(x, x)
            except TypeError as e:
                print("refused:", e)
            """;
        var file = Path.Combine(c.Folder, "logits_check.py");
        File.WriteAllText(file, code);
        PythonTorch.Require();
        var (exit, stdout, stderr) = PythonTorch.Start(PythonTorch.Python, [file, script, c.Folder, Path.Combine(c.Folder, "x.npy")], TimeSpan.FromMinutes(2));
        Assert.True(exit == 0, stderr);
        var lines = stdout.Trim().Split('\n');
        var numbers = lines[0].Split(' ').Select(s => double.Parse(s, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        Assert.True(numbers[0] < 1e-6, $"softmax of the logits is {numbers[0]:E2} away from the outputs");
        Assert.True(numbers[1] > 0.1, "the logits differ from the probabilities");
        Assert.StartsWith("refused: this model takes 1 inputs", lines[1]);
    }

    [Fact]
    public void Train_ddp_refuses_a_model_with_several_inputs_or_outputs_by_name()
    {
        PythonTorch.Require();
        var script = Path.Combine(AppContext.BaseDirectory, "interop", "pytorch", "train_ddp.py");
        foreach (var (name, what) in new[] { ("two_inputs", "2 inputs and 1 outputs"), ("two_outputs", "1 inputs and 2 outputs") })
        {
            var folder = cases.All[name].Folder;
            var (code, stdout, stderr) = PythonTorch.Start(PythonTorch.Python,
                [script, "--model-dir", folder, "--x-train", "unused.npy", "--y-train", "unused.npy", "--out", Path.Combine(folder, "trained")], TimeSpan.FromMinutes(2));
            Assert.NotEqual(0, code);
            Assert.Contains($"has {what}; this script trains models with one input and one output only", stderr);
            Assert.False(Directory.Exists(Path.Combine(folder, "trained")));
        }
    }
}
