using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Nodes;
using TransferNotebooks.Layers;
using TransferNotebooks.Models;
using static TorchSharp.torch;

namespace TransferNotebooks.Tests.Models.KerasImport;

/// <summary>
/// Keras functional import against fixtures written by tests/fixtures/keras/make_functional_fixtures.py (a residual CNN, a model with a
/// shared Dense layer, a frozen Sequential nested with training=False; each as Keras 2 .h5, Keras 3 .h5 and .keras) and their NumPy
/// reference outputs; broken graphs give errors naming the layer.
/// </summary>
public sealed class KerasFunctionalArchitectureTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("keras-functional-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    internal static string Fixture(string name) => Path.Combine(Fixtures.Dir("keras"), name);

    static readonly Lazy<JsonElement> References = new(() => JsonDocument.Parse(File.ReadAllText(Fixture("functional_references.json"))).RootElement);

    /// <summary>The fixed input and NumPy's output for a fixture model.</summary>
    internal static (Tensor X, float[] Expected, long[] Shape) Reference(string model)
    {
        var r = References.Value.GetProperty(model);
        long[] Shape(string key) => r.GetProperty(key).EnumerateArray().Select(e => e.GetInt64()).ToArray();
        float[] Values(string key) => r.GetProperty(key).EnumerateArray().Select(e => (float)e.GetDouble()).ToArray();
        return (tensor(Values("input"), Shape("input_shape")), Values("output"), Shape("output_shape"));
    }

    /// <summary>The fixture's further inputs (a model with several inputs), in the model's order; empty for one input.</summary>
    static Tensor[] MoreInputs(string model) => References.Value.GetProperty(model).TryGetProperty("more_inputs", out var more)
        ? more.EnumerateArray().Select(i => tensor(i.GetProperty("values").EnumerateArray().Select(e => (float)e.GetDouble()).ToArray(),
            i.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()).ToArray())).ToArray()
        : [];

    /// <summary>Asserts the model's predictions on the fixture inputs are NumPy's to 1e-5.</summary>
    internal static void AssertMatchesReference(Functional m, string model, string file)
    {
        var (x, expected, shape) = Reference(model);
        var more = MoreInputs(model);
        using (x)
        using (var y = more.Length == 0 ? m.Predict(x) : m.Predict([x, .. more]))
        {
            Assert.Equal(shape, y.shape);
            var got = y.data<float>().ToArray();
            for (int i = 0; i < got.Length; i++)
                Assert.True(Math.Abs(got[i] - expected[i]) <= 1e-5, $"{file}: output {i} is {got[i]}, NumPy says {expected[i]}");
        }
        foreach (var t in more) t.Dispose();
    }

    public static TheoryData<string, string> Files()
    {
        var data = new TheoryData<string, string>();
        foreach (var m in new[] { "functional_residual", "functional_shared", "functional_nested", "functional_two_inputs" })
            foreach (var f in new[] { $"{m}_keras2.h5", $"{m}_keras3.h5", $"{m}.keras" })
                data.Add(m, f);
        return data;
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Predictions_match_the_numpy_reference(string model, string file)
    {
        using var m = Model.Load<Functional>(Fixture(file));
        AssertMatchesReference(m, model, file);
    }

    [Theory]
    [InlineData("functional_shared_keras2.h5")]
    [InlineData("functional_shared_keras3.h5")]
    [InlineData("functional_shared.keras")]
    public void A_layer_with_two_inbound_nodes_is_one_shared_layer(string file)
    {
        using var m = Model.Load<Functional>(Fixture(file));
        Assert.Equal(1, m.Layers.Count(l => l.Name == "shared"));
        Assert.Equal(5, m.Layers.Count);
        var summary = m.Summary();
        Assert.Equal("branch_a[0][0], branch_b[0][0]", summary.Layers.Single(r => r.Name == "shared").ConnectedTo);
        Assert.Equal("shared[0][0], shared[1][0]", summary.Layers.Single(r => r.Name == "concatenate").ConnectedTo);
        Assert.Equal(4 * 5 + 4, m.Layers["shared"].ParameterCount); // one kernel and bias, not two
    }

    [Theory]
    [InlineData("functional_nested_keras2.h5")]
    [InlineData("functional_nested_keras3.h5")]
    [InlineData("functional_nested.keras")]
    public void A_nested_Sequential_loads_as_a_frozen_model_layer_called_in_inference_mode(string file)
    {
        using var m = Model.Load<Functional>(Fixture(file));
        var baseLayer = Assert.IsType<ModelLayer>(m.Layers["base"]);
        var inner = Assert.IsType<Sequential>(baseLayer.Model);
        Assert.Equal(["conv2d", "batch_normalization"], inner.Layers.Select(l => l.Name));
        Assert.Equal(0, baseLayer.TrainableParameterCount); // base.trainable = False in the file
        Assert.True(m.Layers["dense"].TrainableParameterCount > 0);
        Assert.False(m.Nodes.Single(n => n.Layer == baseLayer).Training); // base(inputs, training=False)

        // Training mode outside does not reach the nested model: BatchNormalization keeps its moving statistics.
        var (x, _, _) = Reference("functional_nested");
        using (x)
        using (var inference = m.Predict(x))
        using (var training = m.Call(x, training: true))
            Assert.True(allclose(inference, training, 1e-6, 1e-6), "training=True outside changes nothing inside base (no Dropout after it)");
    }

    [Theory]
    [InlineData("functional_two_inputs_keras2.h5")]
    [InlineData("functional_two_inputs_keras3.h5")]
    [InlineData("functional_two_inputs.keras")]
    public void Several_inputs_load_in_the_order_input_layers_gives(string file)
    {
        using var m = Model.Load<Functional>(Fixture(file));
        Assert.Equal(["image", "extra"], m.Inputs.Select(i => i.InputName));
        Assert.Equal([6, 6, 1], m.Inputs[0].Shape);
        Assert.Equal([3], m.Inputs[1].Shape);
    }

    [Fact]
    public void Model_Load_returns_a_Functional_for_functional_files_and_typed_loads_name_the_kind()
    {
        using (var any = Model.Load(Fixture("functional_residual_keras2.h5")))
            Assert.IsType<Functional>(any);
        using (var sequential = Model.Load(Fixture("mlp_keras2.h5")))
            Assert.IsType<Sequential>(sequential);
        var e = Assert.Throws<InvalidDataException>(() => Model.Load<Sequential>(Fixture("functional_nested.keras")));
        Assert.Contains("Functional", e.Message);
    }

    [Fact]
    public void A_call_on_an_unknown_layer_names_both_layers()
    {
        var e = Assert.Throws<InvalidDataException>(() => Model.Load<Functional>(Fixture("functional_unknown_layer.keras")));
        Assert.Contains("'add'", e.Message);
        Assert.Contains("'conv2d_9'", e.Message);
    }

    [Fact]
    public void A_cycle_is_named_layer_by_layer()
    {
        var e = Assert.Throws<InvalidDataException>(() => Model.Load<Functional>(Fixture("functional_cycle.keras")));
        Assert.Contains("cycle", e.Message);
        foreach (var name in new[] { "'conv2d'", "'conv2d_1'", "'batch_normalization'" }) Assert.Contains(name, e.Message);
    }

    [Fact]
    public void Missing_weights_name_the_layer()
    {
        var h5 = Assert.Throws<InvalidDataException>(() => Model.Load<Functional>(Fixture("functional_missing_weights_keras2.h5")));
        Assert.Contains("'conv2d_1'", h5.Message);
        var zip = Assert.Throws<InvalidDataException>(() => Model.Load<Functional>(Fixture("functional_missing_weights.keras")));
        Assert.Contains("'batch_normalization'", zip.Message);
        Assert.Contains("moving_variance", zip.Message);
    }

    [Fact]
    public void Several_outputs_load_in_the_order_output_layers_gives()
    {
        var path = Path.Combine(dir, "two_outputs.keras");
        File.Copy(Fixture("functional_shared.keras"), path);
        using (var z = ZipFile.Open(path, ZipArchiveMode.Update))
        {
            JsonNode config;
            using (var r = z.GetEntry("config.json")!.Open()) config = JsonNode.Parse(r)!;
            config["config"]!["output_layers"] = new JsonArray(new JsonArray("head", 0, 0), new JsonArray("shared", 1, 0));
            z.GetEntry("config.json")!.Delete();
            using var w = new StreamWriter(z.CreateEntry("config.json").Open());
            w.Write(config.ToJsonString());
        }
        using var m = Model.Load<Functional>(path);
        Assert.Equal(2, m.Outputs.Count);
        Assert.Equal([4], m.Outputs[1].Shape); // the shared layer's second call
        var (x, expected, _) = Reference("functional_shared");
        using (x)
        {
            var outputs = m.PredictOutputs(x);
            var head = outputs[0].data<float>().ToArray();
            for (int i = 0; i < head.Length; i++) Assert.True(Math.Abs(head[i] - expected[i]) <= 1e-5, $"output {i}: {head[i]} vs NumPy {expected[i]}");
            Assert.Equal([3L, 4], outputs[1].shape);
            foreach (var o in outputs) o.Dispose();
        }
    }
}
