using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using TransferNotebooks.Layers;
using TransferNotebooks.Models;
using TransferNotebooks.Tests.Data;
using static TorchSharp.torch;

namespace TransferNotebooks.Tests.Layers;

/// <summary>A layer a newcomer adds in one file: its config record, its JSON metadata, its type and its registration.</summary>
public sealed record ScaleByConfig(double Factor);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, RespectRequiredConstructorParameters = true)]
[JsonSerializable(typeof(ScaleByConfig))]
internal sealed partial class ScaleByJson : JsonSerializerContext;

/// <summary>Multiplies its input by a fixed factor (a custom layer defined outside the library).</summary>
public sealed class ScaleBy(double factor, string? name = null, IEnumerable<int>? inputShape = null) : Layer(name, inputShape)
{
    public static LayerType Type { get; } = LayerType.Of<ScaleBy, ScaleByConfig>("ScaleBy", ScaleByJson.Default.ScaleByConfig,
        l => new(l.Factor), (c, n, shape) => new ScaleBy(c.Factor, n, shape), "MultiplyBy");

    [ModuleInitializer] internal static void Register() => LayerRegistry.Register(Type);

    public double Factor { get; } = factor;
    public override LayerType LayerType => Type;
    protected override int[] BuildCore(int[] inputShape) => inputShape;
    public override Tensor Call(Tensor input, bool training) => input.mul(Factor);
}

/// <summary>Layer types: registration from the layer's own file, configs read and written from one record, aliases, errors.</summary>
public sealed class LayerTypeTests
{
    [Fact]
    public void A_layer_declared_in_one_file_saves_and_loads_and_is_refused_by_the_keras_writer()
    {
        manual_seed(3);
        using var model = new Sequential(new ScaleBy(2.5, inputShape: [4]), Keras.Dense(3, activation: "softmax"));
        using var x = rand(5, 4);
        using var expected = model.Predict(x);
        using var dir = TestData.Temp();
        var path = dir.Sub("custom.tnmodel");
        model.Save(path);
        using var back = Model.Load(path);
        Assert.IsType<ScaleBy>(back.Layers[0]);
        Assert.Equal(2.5, ((ScaleBy)back.Layers[0]).Factor);
        using var got = back.Predict(x);
        Assert.True(got.allclose(expected, 1e-6, 1e-7));
        Assert.True(ScaleBy.Type.IsCustom);
        var e = Assert.Throws<NotSupportedException>(() => model.SaveKeras(dir.Sub("custom.keras")));
        Assert.Contains("ScaleBy", e.Message);
        Assert.False(File.Exists(dir.Sub("custom.keras")));
    }

    [Theory]
    [InlineData("Convolution2D", "Conv2D")]
    [InlineData("Convolution1D", "Conv1D")]
    [InlineData("MaxPool2D", "MaxPooling2D")]
    [InlineData("AvgPool2D", "AveragePooling2D")]
    [InlineData("GlobalAvgPool1D", "GlobalAveragePooling1D")]
    [InlineData("MultiplyBy", "ScaleBy")]
    [InlineData("Dense", "Dense")]
    public void Keras_aliases_map_to_the_layer_type(string kerasName, string typeName) =>
        Assert.Equal(typeName, LayerRegistry.Find(kerasName)?.Name);

    [Fact]
    public void Every_built_in_layer_registers_itself_and_only_custom_ones_are_marked_custom()
    {
        string[] builtIn = ["Activation", "AveragePooling2D", "BatchNormalization", "Conv1D", "Conv2D", "Dense", "Dropout", "Embedding", "Flatten", "GRU",
            "GlobalAveragePooling1D", "GlobalAveragePooling2D", "GlobalMaxPooling1D", "GlobalMaxPooling2D", "LSTM", "MaxPooling1D", "MaxPooling2D",
            "MeanImageSubtraction", "Rescaling", "Reshape", "ZeroPadding2D"];
        foreach (var name in builtIn)
            Assert.False(LayerRegistry.Find(name)?.IsCustom ?? true, $"{name} is not registered as a built-in layer");
        Assert.Null(LayerRegistry.Find("SimpleRNN"));
    }

    [Theory]
    [InlineData("Conv2D", "conv2d")]
    [InlineData("MaxPooling2D", "max_pooling2d")]
    [InlineData("BatchNormalization", "batch_normalization")]
    [InlineData("GlobalAveragePooling1D", "global_average_pooling1d")]
    [InlineData("ScaleBy", "scale_by")]
    public void The_default_layer_name_follows_keras_and_is_worked_out_once_per_type(string typeName, string expected)
    {
        var type = LayerRegistry.Find(typeName)!;
        Assert.Equal(expected, type.DefaultName);
        Assert.Same(type.DefaultName, type.DefaultName); // cached: layer construction runs no regex after the first layer of a type
    }

    [Fact]
    public void A_config_lacking_a_required_key_names_the_layer_and_the_key()
    {
        using var empty = JsonDocument.Parse("""{"activation": "relu"}""");
        var e = Assert.Throws<InvalidDataException>(() => LayerRegistry.Create("Dense", empty.RootElement, "head", null));
        Assert.Contains("'head'", e.Message);
        Assert.Contains("units", e.Message);
    }

    [Fact]
    public void Keras_tuple_settings_read_as_one_number_or_a_list_and_write_as_lists()
    {
        using var one = JsonDocument.Parse("""{"filters": 4, "kernel_size": 3, "strides": [2, 2], "padding": "same"}""");
        using var conv = (Conv2D)LayerRegistry.Create("Conv2D", one.RootElement, "c", [8, 8, 1]);
        Assert.Equal((3, 3), conv.KernelSize);
        Assert.Equal((2, 2), conv.Strides);
        var written = conv.GetConfig();
        Assert.Equal("[3,3]", written["kernel_size"]!.ToJsonString());
        Assert.Equal("\"channels_last\"", written["data_format"]!.ToJsonString());
        Assert.False(written.ContainsKey("dilation_rate")); // absent settings stay absent
    }

    [Theory]
    [InlineData("Conv2D", """{"filters": 2, "kernel_size": 3, "dilation_rate": 2}""", "dilation_rate")]
    [InlineData("Conv2D", """{"filters": 2, "kernel_size": 3, "data_format": "channels_first"}""", "channels_first")]
    [InlineData("MaxPooling2D", """{"pool_size": [2, 3]}""", "non-square")]
    [InlineData("GlobalAveragePooling2D", """{"keepdims": true}""", "keepdims")]
    [InlineData("BatchNormalization", """{"renorm": true}""", "renorm")]
    [InlineData("LSTM", """{"units": 2, "go_backwards": true}""", "go_backwards")]
    public void Settings_a_layer_does_not_implement_are_refused_by_the_layer_naming_them(string type, string config, string named)
    {
        using var doc = JsonDocument.Parse(config);
        var e = Assert.Throws<NotSupportedException>(() => LayerRegistry.Create(type, doc.RootElement, "x", null));
        Assert.Contains(named, e.Message);
        Assert.Contains("'x'", e.Message);
    }
}
