using System.IO.Compression;
using System.Text.Json.Nodes;
using PureHDF;
using TransferNotebooks.Layers;
using TransferNotebooks.Models;
using TransferNotebooks.Models.KerasImport;
using static TransferNotebooks.Keras;
using static TorchSharp.torch;

namespace TransferNotebooks.Tests.Models.KerasImport;

/// <summary>Functional models saved as Keras 3 .keras files: Keras's config and weights layout, and identical predictions after loading back.</summary>
public sealed class KerasFunctionalWriterTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("keras-functional-out-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    static Functional Residual()
    {
        manual_seed(3);
        var inputs = Input([8, 8, 2]);
        var x = Conv2D(4, 3, padding: "same", activation: "relu").Call(inputs);
        var y = BatchNormalization().Call(Conv2D(4, 3, padding: "same").Call(x));
        var outputs = Dense(3, activation: "softmax").Call(Flatten().Call(MaxPooling2D().Call(Add().Call(x, y))));
        var model = new Functional(inputs, outputs, "residual");
        model.Compile(optimizer: "adam", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
        return model;
    }

    static Functional Shared()
    {
        manual_seed(4);
        var inputs = Input([6]);
        var shared = Dense(4, name: "shared");
        var a = shared.Call(Dense(5, activation: "relu", name: "branch_a").Call(inputs));
        var b = shared.Call(Dense(5, activation: "tanh", name: "branch_b").Call(inputs));
        return new Functional(inputs, Dense(2, activation: "softmax").Call(Concatenate().Call(a, b)), "shared_model");
    }

    static Functional Nested()
    {
        manual_seed(5);
        var baseModel = new Sequential([Conv2D(3, 3, activation: "relu", inputShape: [8, 8, 1]), BatchNormalization()], "base");
        baseModel.Freeze();
        var inputs = Input([8, 8, 1]);
        var x = baseModel.Call(inputs, training: false);
        return new Functional(inputs, Dense(2, activation: "softmax").Call(GlobalAveragePooling2D().Call(x)), "transfer");
    }

    public static TheoryData<string> Models() => ["residual", "shared", "nested"];

    static Functional Build(string name) => name switch { "residual" => Residual(), "shared" => Shared(), _ => Nested() };

    static float[] Values(Tensor t) => t.data<float>().ToArray();

    [Theory]
    [MemberData(nameof(Models))]
    public void Saved_keras_files_load_back_to_identical_predictions(string name)
    {
        using var model = Build(name);
        // Non-default BatchNormalization statistics, so that a lost or misplaced moving mean or variance shows.
        using (no_grad())
            foreach (var (key, w) in model.NamedWeights())
                if (key.EndsWith("moving_mean", StringComparison.Ordinal) || key.EndsWith("moving_variance", StringComparison.Ordinal))
                    w.copy_(rand_like(w) + 0.5);
        var path = Path.Combine(dir, name + ".keras");
        model.Save(path);
        using var loaded = Model.Load<Functional>(path);
        Assert.Equal(model.Layers.Select(l => l.Name), loaded.Layers.Select(l => l.Name));
        manual_seed(9);
        using var x = randn([4, .. model.InputShape]);
        using var expected = model.Predict(x);
        using var got = loaded.Predict(x);
        Assert.Equal(Values(expected), Values(got));
        Assert.Equal(model.Layers.Sum(l => l.TrainableParameterCount), loaded.Layers.Sum(l => l.TrainableParameterCount));
        Assert.Equal(model.IsCompiled, loaded.IsCompiled);
    }

    [Fact]
    public void The_config_follows_Keras_3_functional_serialization()
    {
        using var model = Nested();
        var path = Path.Combine(dir, "nested.bin");
        model.Save(path, format: ModelFormat.Keras); // the format chosen whatever the extension
        JsonNode config;
        using (var zip = ZipFile.OpenRead(path))
        using (var s = zip.GetEntry("config.json")!.Open())
            config = JsonNode.Parse(s)!;
        Assert.Equal("Functional", config["class_name"]!.GetValue<string>());
        var layers = config["config"]!["layers"]!.AsArray();
        Assert.Equal(["input_layer", "base", "global_average_pooling2d", "dense"], layers.Select(l => l!["name"]!.GetValue<string>()));
        Assert.Equal("""["input_layer",0,0]""", config["config"]!["input_layers"]!.ToJsonString());
        Assert.Equal("""["dense",0,0]""", config["config"]!["output_layers"]!.ToJsonString());
        var baseEntry = layers[1]!;
        Assert.Equal("Sequential", baseEntry["class_name"]!.GetValue<string>());
        Assert.False(baseEntry["config"]!["trainable"]!.GetValue<bool>());
        var call = baseEntry["inbound_nodes"]![0]!;
        Assert.False(call["kwargs"]!["training"]!.GetValue<bool>());
        Assert.Equal("__keras_tensor__", call["args"]![0]!["class_name"]!.GetValue<string>());
        Assert.Equal("""["input_layer",0,0]""", call["args"]![0]!["config"]!["keras_history"]!.ToJsonString());
        Assert.Equal("""["base",0,0]""", layers[2]!["inbound_nodes"]![0]!["args"]![0]!["config"]!["keras_history"]!.ToJsonString());

        using var shared = Shared();
        var sharedPath = Path.Combine(dir, "shared.keras");
        shared.SaveKeras(sharedPath);
        using (var zip = ZipFile.OpenRead(sharedPath))
        using (var s = zip.GetEntry("config.json")!.Open())
            config = JsonNode.Parse(s)!;
        var concat = config["config"]!["layers"]!.AsArray().Single(l => l!["name"]!.GetValue<string>() == "concatenate")!;
        var merged = concat["inbound_nodes"]![0]!["args"]![0]!.AsArray(); // a merge layer takes one list of tensors
        Assert.Equal(["""["shared",0,0]""", """["shared",1,0]"""], merged.Select(t => t!["config"]!["keras_history"]!.ToJsonString()));
        Assert.Equal(2, config["config"]!["layers"]!.AsArray().Single(l => l!["name"]!.GetValue<string>() == "shared")!["inbound_nodes"]!.AsArray().Count);
    }

    [Fact]
    public void Layers_and_weights_follow_Keras_graph_order_not_call_order()
    {
        // a -> add and c -> b -> add: Keras lists layers by depth from the output (c first), so Dense groups are c: dense, a: dense_1, b: dense_2.
        manual_seed(6);
        var inputs = Input([3]);
        var a = Dense(4, name: "a").Call(inputs);
        var b = Dense(4, name: "b").Call(Dense(4, name: "c").Call(inputs));
        using var model = new Functional(inputs, Add().Call(a, b));
        Assert.Equal(["a", "c", "b", "add"], model.Layers.Select(l => l.Name)); // our order: first run
        Assert.Equal(["input_layer", "c", "a", "b", "add"], KerasFunctionalWriter.KerasOrder(model).Select(o => o is Layer l ? l.Name : ((KerasTensor)o).InputName));

        var path = Path.Combine(dir, "order.keras");
        model.Save(path);
        using (var zip = ZipFile.OpenRead(path))
        {
            var buffer = new MemoryStream();
            using (var s = zip.GetEntry("model.weights.h5")!.Open()) s.CopyTo(buffer);
            buffer.Position = 0;
            using var h5 = H5File.Open(buffer);
            foreach (var (group, layer) in new[] { ("dense", "c"), ("dense_1", "a"), ("dense_2", "b") })
            {
                var vars = h5.Group($"layers/{group}/vars");
                Assert.Equal(layer, vars.Attribute("name").Read<string>());
                var kernel = vars.Dataset("0").Read<float[]>();
                Assert.Equal(Values(((Dense)model.Layers[layer]).Kernel.contiguous()), kernel); // Dense kernels are (in, out) in both
            }
            Assert.True(h5.LinkExists("layers/input_layer/vars"));
            Assert.True(h5.LinkExists("layers/add/vars"));
        }
        using var loaded = Model.Load<Functional>(path);
        using var x = randn(2, 3);
        Assert.Equal(Values(model.Predict(x)), Values(loaded.Predict(x)));
    }

    [Fact]
    public void A_nested_functional_model_called_twice_numbers_its_calls_from_1_as_Keras_does()
    {
        manual_seed(7);
        var innerInput = Input([4]);
        using var inner = new Functional(innerInput, Dense(4, activation: "tanh", name: "inner_dense").Call(innerInput), "inner");
        var inputs = Input([4]);
        var twice = inner.Call(inner.Call(inputs)); // one nested model, two calls, shared weights
        using var model = new Functional(inputs, Dense(2, activation: "softmax").Call(twice), "outer");
        var path = Path.Combine(dir, "nested_functional.keras");
        model.Save(path);

        JsonNode config;
        using (var zip = ZipFile.OpenRead(path))
        using (var s = zip.GetEntry("config.json")!.Open())
            config = JsonNode.Parse(s)!;
        var layers = config["config"]!["layers"]!.AsArray();
        var innerEntry = layers.Single(l => l!["name"]!.GetValue<string>() == "inner")!;
        Assert.Equal("Functional", innerEntry["class_name"]!.GetValue<string>());
        Assert.Equal("""["inner",1,0]""", innerEntry["inbound_nodes"]![1]!["args"]![0]!["config"]!["keras_history"]!.ToJsonString());
        var head = layers.Single(l => l!["name"]!.GetValue<string>() == "dense")!;
        Assert.Equal("""["inner",2,0]""", head["inbound_nodes"]![0]!["args"]![0]!["config"]!["keras_history"]!.ToJsonString());

        using var loaded = Model.Load<Functional>(path);
        var nested = Assert.IsType<ModelLayer>(loaded.Layers["inner"]);
        Assert.IsType<Functional>(nested.Model);
        using var x = randn(3, 4);
        Assert.Equal(Values(model.Predict(x)), Values(loaded.Predict(x)));
    }

    [Fact]
    public void A_model_with_two_inputs_writes_one_InputLayer_each_and_loads_back_identically()
    {
        manual_seed(8);
        var image = Input([6, 6, 1], name: "image");
        var extra = Input([3], name: "extra");
        var features = GlobalAveragePooling2D().Call(Conv2D(4, 3, activation: "relu").Call(image));
        var joined = Concatenate().Call(features, Dense(2, activation: "relu").Call(extra));
        using var model = new Functional([image, extra], Dense(2, activation: "softmax").Call(joined), "two_inputs");
        var path = Path.Combine(dir, "two_inputs.keras");
        model.Save(path);

        JsonNode config;
        using (var zip = ZipFile.OpenRead(path))
        using (var s = zip.GetEntry("config.json")!.Open())
            config = JsonNode.Parse(s)!;
        Assert.Equal("""[["image",0,0],["extra",0,0]]""", config["config"]!["input_layers"]!.ToJsonString());
        Assert.Equal(2, config["config"]!["layers"]!.AsArray().Count(l => l!["class_name"]!.GetValue<string>() == "InputLayer"));

        using var loaded = Model.Load<Functional>(path);
        Assert.Equal(["image", "extra"], loaded.Inputs.Select(i => i.InputName));
        Assert.Equal([3], loaded.Inputs[1].Shape);
        using var a = randn(4, 6, 6, 1);
        using var b = randn(4, 3);
        Assert.Equal(Values(model.Predict([a, b])), Values(loaded.Predict([a, b])));
    }

    [Fact]
    public void A_model_with_two_outputs_writes_output_layers_as_a_list_and_loads_back_identically()
    {
        manual_seed(10);
        var inputs = Input([5]);
        var hidden = Dense(4, activation: "relu", name: "hidden").Call(inputs);
        var digit = Dense(3, activation: "softmax", name: "digit").Call(hidden);
        var size = Dense(1, name: "size").Call(hidden);
        using var model = new Functional(inputs, [digit, size], "two_outputs");
        var path = Path.Combine(dir, "two_outputs.keras");
        model.Save(path);
        JsonNode config;
        using (var zip = ZipFile.OpenRead(path))
        using (var s = zip.GetEntry("config.json")!.Open())
            config = JsonNode.Parse(s)!;
        Assert.Equal("""[["digit",0,0],["size",0,0]]""", config["config"]!["output_layers"]!.ToJsonString());

        using var loaded = Model.Load<Functional>(path);
        using var x = randn(4, 5);
        var expected = model.PredictOutputs(x);
        var got = loaded.PredictOutputs(x);
        Assert.Equal(2, got.Length);
        for (int i = 0; i < 2; i++) Assert.Equal(Values(expected[i]), Values(got[i]));
        foreach (var t in expected.Concat(got)) t.Dispose();
    }

    [Theory]
    [InlineData("functional_nested_keras2.h5", "functional_nested")]
    [InlineData("functional_residual.keras", "functional_residual")]
    public void Imported_Keras_models_export_and_import_again(string file, string reference)
    {
        using var imported = Model.Load<Functional>(KerasFunctionalArchitectureTests.Fixture(file));
        var path = Path.Combine(dir, "again.keras");
        imported.Save(path);
        using var again = Model.Load<Functional>(path);
        KerasFunctionalArchitectureTests.AssertMatchesReference(again, reference, "again.keras");
    }
}
