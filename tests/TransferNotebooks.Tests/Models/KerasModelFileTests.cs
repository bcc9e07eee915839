using System.IO.Compression;
using System.Text.Json;
using TransferNotebooks.Layers;
using TransferNotebooks.Models;
using static TransferNotebooks.Keras;
using static TorchSharp.torch;

namespace TransferNotebooks.Tests.Models;

/// <summary>
/// Keras import against fixtures written by tests/fixtures/keras/make_fixtures.py (Keras 2 .h5, Keras 3 .h5, Keras 3 .keras;
/// an MLP, a CNN, a pooling model with custom layer names, an embedding model) and NumPy reference outputs.
/// </summary>
public sealed class KerasModelFileTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("keras-import-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    static string Fixture(string name) => Path.Combine(Fixtures.Dir("keras"), name);

    static readonly Lazy<JsonElement> References = new(() => JsonDocument.Parse(File.ReadAllText(Fixture("references.json"))).RootElement);

    static (Tensor X, float[] Expected, long[] Shape) Reference(string model)
    {
        var r = References.Value.GetProperty(model);
        long[] Shape(string key) => r.GetProperty(key).EnumerateArray().Select(e => e.GetInt64()).ToArray();
        float[] Values(string key) => r.GetProperty(key).EnumerateArray().Select(e => (float)e.GetDouble()).ToArray();
        return (tensor(Values("input"), Shape("input_shape")), Values("output"), Shape("output_shape"));
    }

    public static TheoryData<string, string> Files()
    {
        var data = new TheoryData<string, string>();
        foreach (var m in new[] { "mlp", "cnn", "pooling", "text", "lstm", "gru", "conv1d", "masked" })
            foreach (var f in new[] { $"{m}_keras2.h5", $"{m}_keras3.h5", $"{m}.keras" })
                data.Add(m, f);
        data.Add("mlp", "mlp_keras22.h5"); // Keras 2.2: the config is a bare layer list without InputLayer
        data.Add("cnn", "cnn_keras2.keras"); // tf.keras 2.13-2.15 .keras: weights under _layer_checkpoint_dependencies/
        return data;
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Predictions_match_the_numpy_reference(string model, string file)
    {
        using var m = Model.Load(Fixture(file));
        var (x, expected, shape) = Reference(model);
        using (x)
        using (var y = m.Predict(x))
        {
            Assert.Equal(shape, y.shape);
            var got = y.data<float>().ToArray();
            for (int i = 0; i < got.Length; i++)
                Assert.True(Math.Abs(got[i] - expected[i]) <= 1e-5, $"{file}: output {i} is {got[i]}, NumPy says {expected[i]}");
        }
    }

    [Fact]
    public void Architecture_names_and_shapes_follow_the_keras_config()
    {
        using var cnn = Model.Load(Fixture("cnn_keras2.h5"));
        Assert.Equal(["conv2d", "conv2d_1", "max_pooling2d", "batch_normalization", "flatten", "dense"], cnn.Layers.Select(l => l.Name));
        Assert.Equal([8, 8, 2], cnn.InputShape!);
        Assert.Equal(["(None, 8, 8, 4)", "(None, 6, 6, 3)", "(None, 3, 3, 3)"], cnn.Summary().Layers.Take(3).Select(r => r.OutputShape));
        var conv = Assert.IsType<Conv2D>(cnn.Layers[0]);
        Assert.Equal("same", conv.PaddingMode);
        Assert.Equal("relu", conv.Activation.Name);
        Assert.Equal([4L, 2, 3, 3], conv.Kernel.shape); // stored torch-style (out, in, kh, kw)

        // Custom layer names: the .keras weights are filed by class (layers/conv2d, layers/dense), not by these names.
        using var pooling = Model.Load(Fixture("pooling.keras"));
        Assert.Equal(["to_image", "avg", "features", "max", "act", "gap", "drop", "head"], pooling.Layers.Select(l => l.Name));
        Assert.Equal(0.25, Assert.IsType<Dropout>(pooling.Layers["drop"]).Rate);
        Assert.Equal((2, 2), Assert.IsType<Conv2D>(pooling.Layers["features"]).Strides);
    }

    [Theory]
    [InlineData("mlp_keras2.h5", "KerasHdf5", "2.13.1")]
    [InlineData("mlp_keras3.h5", "KerasHdf5", "3.7.0")]
    [InlineData("mlp.keras", "KerasZip", "3.3.3")]
    public void Compile_settings_are_restored_and_optimizer_state_is_noted(string file, string kind, string version)
    {
        var result = KerasModelFile.Import(Fixture(file));
        using var m = result.Model;
        Assert.Equal(kind, result.Kind.ToString());
        Assert.Equal(version, result.KerasVersion);
        Assert.True(m.IsCompiled);
        Assert.Equal("adam", m.Optimizer.Name, ignoreCase: true);
        Assert.Equal(0.002, m.Optimizer.LearningRate, 6);
        Assert.Equal("sparse_categorical_crossentropy", m.Loss.Name);
        Assert.Equal(["accuracy"], m.MetricNames);
        Assert.Contains(result.Notes, n => n.Contains("optimizer state"));

        using var uncompiled = Model.Load(Fixture(file), compile: false);
        Assert.False(uncompiled.IsCompiled);
    }

    [Fact]
    public void Sgd_from_a_keras3_compile_config_and_uncompiled_models()
    {
        using var cnn = Model.Load(Fixture("cnn.keras"));
        Assert.Equal("sgd", cnn.Optimizer.Name, ignoreCase: true);
        Assert.Equal(0.05, cnn.Optimizer.LearningRate, 6);
        using var text = Model.Load(Fixture("text_keras2.h5"));
        Assert.False(text.IsCompiled);
    }

    [Fact]
    public void Files_are_recognised_by_content_not_extension()
    {
        Assert.Equal(ModelFileKind.KerasHdf5, KerasModelFile.Detect(Fixture("cnn_keras3.h5")));
        Assert.Equal(ModelFileKind.KerasZip, KerasModelFile.Detect(Fixture("cnn.keras")));
        var renamed = Path.Combine(dir, "model.bin");
        File.Copy(Fixture("cnn.keras"), renamed);
        using var m = Model.Load(renamed);
        Assert.Equal(6, m.Layers.Count);

        // A loaded Keras model saves in our format and loads back through the same entry point.
        var ours = Path.Combine(dir, "cnn.tnmodel");
        m.Save(ours);
        Assert.Equal(ModelFileKind.TransferNotebooks, KerasModelFile.Detect(ours));
        using var back = Model.Load(ours);
        var (x, expected, _) = Reference("cnn");
        using (x)
        using (var y = back.Predict(x))
            Assert.Equal(expected[0], y.data<float>()[0], 5);
    }

    [Theory]
    [InlineData("cnn_keras2.h5", "cnn")]
    [InlineData("pooling_keras3.h5", "pooling")]
    [InlineData("text.keras", "text")]
    public void SaveKeras_writes_a_keras3_file_that_loads_back_identically(string file, string reference)
    {
        using var m = Model.Load<Sequential>(Fixture(file));
        m.Layers[0].Trainable = false;
        var path = Path.Combine(dir, "saved.keras");
        m.SaveKeras(path);
        Assert.Equal(ModelFileKind.KerasZip, KerasModelFile.Detect(path));
        using (var z = ZipFile.OpenRead(path))
            Assert.Equal(["config.json", "metadata.json", "model.weights.h5"], z.Entries.Select(e => e.FullName).Order());
        var result = KerasModelFile.Import(path);
        using var back = result.Model;
        Assert.Equal(m.Layers.Select(l => (l.Name, l.TypeName)), back.Layers.Select(l => (l.Name, l.TypeName)));
        Assert.False(back.Layers[0].Trainable);
        Assert.Equal(m.IsCompiled, back.IsCompiled);
        var (x, expected, _) = Reference(reference);
        using (x)
        using (var y = back.Predict(x))
        {
            var got = y.data<float>().ToArray();
            for (int i = 0; i < got.Length; i++) Assert.True(Math.Abs(got[i] - expected[i]) <= 1e-5, $"output {i}: {got[i]} vs {expected[i]}");
        }
    }

    [Fact]
    public void SaveKeras_writes_the_compile_config_in_keras_terms()
    {
        using var m = Model.Load<Sequential>(Fixture("cnn.keras"));
        var path = Path.Combine(dir, "sgd.keras");
        m.SaveKeras(path);
        string config;
        using (var z = ZipFile.OpenRead(path))
        using (var r = new StreamReader(z.GetEntry("config.json")!.Open())) config = r.ReadToEnd();
        var compile = JsonDocument.Parse(config).RootElement.GetProperty("compile_config");
        var opt = compile.GetProperty("optimizer");
        Assert.Equal("SGD", opt.GetProperty("class_name").GetString());
        Assert.Equal(0.9, opt.GetProperty("config").GetProperty("momentum").GetDouble(), 6);
        Assert.Equal(JsonValueKind.False, opt.GetProperty("config").GetProperty("nesterov").ValueKind);
        Assert.False(opt.GetProperty("config").TryGetProperty("torch_style", out _));
        Assert.Equal("sparse_categorical_crossentropy", compile.GetProperty("loss").GetString());
        using var back = Model.Load(path);
        Assert.Equal(0.05, back.Optimizer.LearningRate, 6);
    }

    [Fact]
    public void Truncated_and_corrupt_files_get_clear_errors()
    {
        foreach (var name in new[] { "cnn_keras2.h5", "cnn_keras3.h5", "cnn.keras" })
        {
            var bytes = File.ReadAllBytes(Fixture(name));
            foreach (var keep in new[] { bytes.Length / 2, bytes.Length - 100, 2100 })
            {
                var cut = Path.Combine(dir, $"cut{keep}_{name}");
                File.WriteAllBytes(cut, bytes[..keep]);
                var e = Assert.Throws<InvalidDataException>(() => Model.Load(cut));
                Assert.Contains("truncated", e.Message);
            }
        }
        var garbage = Path.Combine(dir, "garbage.h5");
        File.WriteAllText(garbage, "this is not a model at all");
        Assert.Contains("not a Keras model file", Assert.Throws<InvalidDataException>(() => Model.Load(garbage)).Message);

        // Damage the bytes inside the weights of a .keras file.
        var damaged = Path.Combine(dir, "damaged.keras");
        File.Copy(Fixture("mlp.keras"), damaged);
        using (var z = ZipFile.Open(damaged, ZipArchiveMode.Update))
        {
            byte[] h5;
            using (var s = z.GetEntry("model.weights.h5")!.Open()) { var ms = new MemoryStream(); s.CopyTo(ms); h5 = ms.ToArray(); }
            z.GetEntry("model.weights.h5")!.Delete();
            Array.Fill(h5, (byte)0x5A, 200, h5.Length - 400);
            using var w = z.CreateEntry("model.weights.h5").Open();
            w.Write(h5);
        }
        Assert.Contains("damaged.keras", Assert.Throws<InvalidDataException>(() => Model.Load(damaged)).Message);
    }

    public static TheoryData<Exception> NotAboutTheBytes() =>
    [
        new InvalidOperationException("Reflection-based serialization has been disabled for this application."),
        new TypeLoadException("Could not load type 'X'."),
        new MissingMethodException("Method not found: 'Y'."),
        new PlatformNotSupportedException("Dynamic code generation is not supported on this platform."),
        new NotSupportedException("not supported"),
        new TypeInitializationException("Z", null),
        new ArgumentException("a bug"),
    ];

    [Theory]
    [MemberData(nameof(NotAboutTheBytes))]
    public void A_failure_that_is_not_about_the_files_bytes_is_reported_as_what_it_is(Exception failure)
    {
        var e = Assert.Throws(failure.GetType(), () => KerasModelFile.Guarded<int>("good.h5", "", () => throw failure));
        Assert.Same(failure, e);
        Assert.False(KerasModelFile.IsReadFailure(failure));
    }

    public static TheoryData<Exception> AboutTheBytes() =>
    [
        new EndOfStreamException("Unable to read beyond the end of the stream."),
        new IOException("read error"),
        new JsonException("'}' is invalid after a value."),
    ];

    [Theory]
    [MemberData(nameof(AboutTheBytes))]
    public void A_failure_reading_the_files_bytes_says_the_file_is_corrupt(Exception failure)
    {
        var e = Assert.Throws<InvalidDataException>(() => KerasModelFile.Guarded<int>("bad.h5", "model.weights.h5", () => throw failure));
        Assert.Contains("'bad.h5' (model.weights.h5) is truncated or corrupt", e.Message);
        Assert.Same(failure, e.InnerException);
    }

    [Fact]
    public void An_error_from_inside_the_hdf5_reader_counts_as_a_damaged_file()
    {
        // Garbage after a valid HDF5 signature: PureHDF fails while decoding, whatever exception type it picks.
        var bytes = new byte[4096];
        new byte[] { 0x89, (byte)'H', (byte)'D', (byte)'F', 0x0d, 0x0a, 0x1a, 0x0a }.CopyTo(bytes, 0);
        Array.Fill(bytes, (byte)0xA5, 8, bytes.Length - 8);
        Exception? fromReader = null;
        try { PureHDF.H5File.Open(new MemoryStream(bytes)).Dispose(); }
        catch (Exception e) { fromReader = e; }
        Assert.NotNull(fromReader);
        if (fromReader is not NotSupportedException) Assert.True(KerasModelFile.IsReadFailure(fromReader), fromReader.ToString());
    }

    [Fact]
    public void Non_keras_hdf5_and_weights_only_files_are_refused()
    {
        var e = Assert.Throws<InvalidDataException>(() => Model.Load(Fixture("not_keras.h5")));
        Assert.Contains("not a Keras model", e.Message);
        Assert.Contains("model_config", e.Message);
        var weightsOnly = Assert.Throws<InvalidDataException>(() => Model.Load(Fixture("mlp_weights_only.h5")));
        Assert.Contains("only weights", weightsOnly.Message);
    }

    [Fact]
    public void Unsupported_layers_and_models_are_named_in_the_error()
    {
        var rnn = Assert.Throws<NotSupportedException>(() => Model.Load(Fixture("simple_rnn_keras2.h5")));
        Assert.Contains("'simple_rnn'", rnn.Message);
        Assert.Contains("SimpleRNN", rnn.Message);
        Assert.Contains("LSTM", rnn.Message); // lists what is supported

        var lambda = Assert.Throws<NotSupportedException>(() => Model.Load(Fixture("lambda.keras")));
        Assert.Contains("Lambda", lambda.Message);
        Assert.Contains("'lambda'", lambda.Message);

        var functional = Assert.Throws<NotSupportedException>(() => Model.Load(Fixture("functional.keras")));
        Assert.Contains("functional", functional.Message);
        Assert.Contains("Sequential", functional.Message);
    }

    [Fact]
    public void Unsupported_features_in_a_config_are_named()
    {
        string Rewrite(string from, string to)
        {
            var path = Path.Combine(dir, Guid.NewGuid().ToString("N") + ".keras");
            File.Copy(Fixture("cnn.keras"), path);
            using var z = ZipFile.Open(path, ZipArchiveMode.Update);
            string config;
            using (var r = new StreamReader(z.GetEntry("config.json")!.Open())) config = r.ReadToEnd();
            Assert.Contains(from, config);
            z.GetEntry("config.json")!.Delete();
            using var w = new StreamWriter(z.CreateEntry("config.json").Open());
            w.Write(config.Replace(from, to));
            return path;
        }
        Assert.Contains("dilation_rate", Assert.Throws<NotSupportedException>(() => Model.Load(Rewrite("\"dilation_rate\": [1, 1]", "\"dilation_rate\": [2, 2]"))).Message);
        Assert.Contains("channels_first", Assert.Throws<NotSupportedException>(() => Model.Load(Rewrite("\"data_format\": \"channels_last\"", "\"data_format\": \"channels_first\""))).Message);
        Assert.Contains("mish", Assert.Throws<NotSupportedException>(() => Model.Load(Rewrite("\"activation\": \"relu\"", "\"activation\": \"mish\""))).Message);
        var custom = Assert.Throws<NotSupportedException>(() => Model.Load(Rewrite("\"module\": \"keras.layers\", \"class_name\": \"Dense\"", "\"module\": \"my_layers\", \"class_name\": \"MyDense\"")));
        Assert.Contains("MyDense", custom.Message);
        Assert.Contains("custom", custom.Message);
        var wrongShape = Assert.Throws<InvalidDataException>(() => Model.Load(Rewrite("\"units\": 5", "\"units\": 6")));
        Assert.Contains("dense", wrongShape.Message);
    }

    [Fact]
    public void A_loaded_model_evaluates_freezes_takes_a_new_head_and_fine_tunes()
    {
        using var train = Fixtures.MnistTrain();
        using var test = Fixtures.MnistTest();
        using var m = Model.Load<Sequential>(Fixture("mnist_cnn.keras"));
        Assert.True(m.IsCompiled);
        var before = m.Evaluate(test);
        Assert.True(double.IsFinite(before["loss"]));
        Assert.InRange(before["accuracy"], 0.0, 0.4); // random weights: about chance

        m.Freeze(upTo: -1);
        using var convBefore = ((Conv2D)m.Layers[0]).Kernel.detach().clone();
        m.Pop().Dispose();
        m.Add(Dense(10, activation: "softmax", name: "new_head"));
        m.Compile(optimizer: "adam", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
        m.Fit(train, epochs: 3, batchSize: 64, seed: 1, verbose: 0);
        var head = m.Evaluate(test);
        Assert.True(head["accuracy"] > 0.7, $"head-only accuracy {head["accuracy"]}");
        Assert.True(((Conv2D)m.Layers[0]).Kernel.allclose(convBefore), "frozen conv kernel moved");

        m.Unfreeze();
        m.Compile(optimizer: new TransferNotebooks.Optimizers.Adam(1e-4), loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
        m.Fit(train, epochs: 1, batchSize: 64, seed: 2, verbose: 0);
        var tuned = m.Evaluate(test);
        Assert.False(((Conv2D)m.Layers[0]).Kernel.allclose(convBefore), "fine-tuning did not reach the conv layer");
        Assert.True(tuned["accuracy"] >= head["accuracy"] - 0.03, $"fine-tuning lost accuracy: {head["accuracy"]} -> {tuned["accuracy"]}");
    }
}
