using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Nodes;
using PureHDF;
using TransferNotebooks.Data;
using TransferNotebooks.Layers;
using static TorchSharp.torch;

namespace TransferNotebooks.Models.KerasImport;

/// <summary>
/// Writes a Sequential model as a Keras 3 <c>.keras</c> zip: <c>metadata.json</c>, <c>config.json</c> (Keras 3 serialization: module,
/// class_name, config, registered_name, build_config, compile_config) and <c>model.weights.h5</c> with each layer's variables under
/// <c>layers/&lt;snake_case(class)&gt;[_n]/vars/&lt;i&gt;</c> in Keras's creation order, in the layout each layer declares (<see cref="Layer.KerasAxisOrder"/>).
/// </summary>
internal static class KerasZipWriter
{
    /// <summary>The Keras version whose layout is written.</summary>
    public const string LayoutVersion = "3.13.0";

    static readonly JsonObject DTypePolicy = new()
    {
        ["module"] = "keras", ["class_name"] = "DTypePolicy", ["config"] = new JsonObject { ["name"] = "float32" }, ["registered_name"] = null,
    };

    public static void Save(Sequential model, string path)
    {
        if (!model.Built) throw new InvalidOperationException("The model is not built yet (no weights): give the first layer an inputShape or train it before saving.");
        foreach (var l in model.Layers)
            if (l.LayerType.IsCustom)
                throw new NotSupportedException($"Layer '{l.Name}' ({l.TypeName}) is a custom layer type, which Keras cannot load; SaveKeras supports {string.Join(", ", KerasArchitectureReaderNames)}.");
        var config = Config(model);
        var weights = WeightsFile(model);
        AtomicFile.Write(path, stream =>
        {
            using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
            WriteText(zip, "metadata.json", new JsonObject { ["keras_version"] = LayoutVersion, ["date_saved"] = DateTime.UtcNow.ToString("yyyy-MM-dd@HH:mm:ss") }.ToJsonString());
            WriteText(zip, "config.json", config.ToJsonString());
            using var w = zip.CreateEntry("model.weights.h5", CompressionLevel.NoCompression).Open();
            w.Write(weights);
        });
    }

    static IReadOnlyCollection<string> KerasArchitectureReaderNames => KerasArchitectureReader.SupportedNames.ToList();

    static void WriteText(ZipArchive zip, string name, string text)
    {
        using var w = new StreamWriter(zip.CreateEntry(name, CompressionLevel.Optimal).Open());
        w.Write(text);
    }

    /// <summary>Keras 3's InputLayer entry for a model input of per-sample <paramref name="shape"/>.</summary>
    internal static JsonObject InputLayerEntry(string name, int[] shape, Layer firstLayer) => new()
    {
        ["module"] = "keras.layers", ["class_name"] = "InputLayer",
        ["config"] = new JsonObject
        {
            ["batch_shape"] = Shape(shape), ["dtype"] = firstLayer.InputDType is ScalarType.Int64 ? "int32" : "float32",
            ["sparse"] = false, ["ragged"] = false, ["name"] = name, ["optional"] = false,
        },
        ["registered_name"] = null,
    };

    /// <summary>One layer's Keras 3 entry (module, class_name, config from the layer's own config record, build_config).</summary>
    internal static JsonObject LayerEntry(Layer l)
    {
        var cfg = new JsonObject { ["name"] = l.Name, ["trainable"] = l.Trainable, ["dtype"] = DTypePolicy.DeepClone() };
        foreach (var (k, v) in l.GetConfig()) cfg[k] = v?.DeepClone();
        var inputShape = l is MergeLayer { InputShapes: { } shapes } ? new JsonArray(shapes.Select(s => (JsonNode)Shape(s)).ToArray()) : Shape(l.InputShape!);
        return new JsonObject
        {
            ["module"] = "keras.layers", ["class_name"] = l.TypeName, ["config"] = cfg, ["registered_name"] = null,
            ["build_config"] = new JsonObject { ["input_shape"] = inputShape },
        };
    }

    /// <summary>The Keras 3 config of a Sequential model (also the entry of a Sequential nested in a functional model).</summary>
    internal static JsonObject Config(Sequential model)
    {
        var input = model.InputShape!;
        var layers = new JsonArray { (JsonNode)InputLayerEntry("input_layer", input, model.Layers[0]) };
        foreach (var l in model.Layers) layers.Add((JsonNode)LayerEntry(l));
        var root = new JsonObject
        {
            ["module"] = "keras", ["class_name"] = "Sequential",
            ["config"] = new JsonObject { ["name"] = model.Name, ["trainable"] = true, ["dtype"] = DTypePolicy.DeepClone(), ["layers"] = layers },
            ["registered_name"] = null,
            ["build_config"] = new JsonObject { ["input_shape"] = Shape(input) },
        };
        if (model.IsCompiled) root["compile_config"] = KerasCompileConfig.ToKerasJson(model);
        return root;
    }

    /// <summary>The model's dtype policy entry, as Keras 3 writes it.</summary>
    internal static JsonObject DTypePolicyJson() => (JsonObject)DTypePolicy.DeepClone();

    /// <summary>A per-sample shape with Keras's batch dimension (None) in front.</summary>
    internal static JsonArray Shape(IEnumerable<int> dims) => new([null, .. dims.Select(d => (JsonNode)d)]);

    static H5Group WithName(H5Group group, string name)
    {
        group.Attributes["name"] = name;
        return group;
    }

    /// <summary>
    /// A layer's group of the weights file: <c>vars/0</c>, <c>vars/1</c>, ... in Keras's creation order and layout (recurrent layers:
    /// <c>cell/vars</c>), the layer's name on <c>vars</c>.
    /// </summary>
    internal static H5Group LayerGroup(Layer layer)
    {
        var vars = new H5Group { Attributes = new() { ["name"] = layer.Name! } };
        var byName = layer.Weights.ToDictionary(w => w.Name, w => w.Value);
        int k = 0;
        foreach (var name in layer.KerasWeightNames)
        {
            if (!byName.TryGetValue(name, out var t)) continue;
            using var scope = NewDisposeScope();
            var value = t.detach();
            if (layer.KerasAxisOrder(name) is { } order) value = value.permute(order.Select(d => (long)d).ToArray()); // ours -> Keras layout
            value = value.contiguous().to_type(ScalarType.Float32).cpu();
            var data = value.data<float>().ToArray();
            vars[(k++).ToString()] = new H5Dataset(data, fileDims: value.shape.Select(d => (ulong)d).ToArray());
        }
        return layer.KerasWeightsInCell
            ? new H5Group { ["vars"] = new H5Group { Attributes = new() { ["name"] = layer.Name! } }, ["cell"] = new H5Group { ["vars"] = WithName(vars, KerasArchitectureReader.SnakeCase(layer.TypeName) + "_cell") } }
            : new H5Group { ["vars"] = vars };
    }

    /// <summary>
    /// The groups of a model's layers, as Keras's saving walks a layer list: each under snake_case(class) with a per-class counter
    /// (<c>dense</c>, <c>dense_1</c>), a nested model as its own <c>layers</c> and <c>vars</c> (each entry makes its group).
    /// </summary>
    internal static H5Group LayersGroup(IEnumerable<(string ClassName, Func<H5Group> Group)> layers)
    {
        var group = new H5Group();
        var used = new Dictionary<string, int>();
        foreach (var (cls, make) in layers)
        {
            var key = KerasArchitectureReader.SnakeCase(cls);
            string name;
            if (used.TryGetValue(key, out int n)) { used[key] = n + 1; name = $"{key}_{n + 1}"; }
            else { used[key] = 0; name = key; }
            group[name] = make();
        }
        return group;
    }

    /// <summary>A Sequential model's weights as Keras 3 files them: <c>layers/...</c> and the model's own (empty) <c>vars</c>.</summary>
    internal static H5Group ModelGroup(Sequential model) => new()
    {
        ["layers"] = LayersGroup(model.Layers.Select(l => (l.TypeName, (Func<H5Group>)(() => LayerGroup(l))))),
        ["vars"] = new H5Group { Attributes = new() { ["name"] = model.Name } },
    };

    /// <summary>Writes a weights file whose root holds <paramref name="root"/>'s groups.</summary>
    internal static byte[] WeightsFile(H5Group root)
    {
        var file = new H5File();
        foreach (var (name, child) in root) file[name] = child;
        using var ms = new MemoryStream();
        file.Write(ms);
        return ms.ToArray();
    }

    static byte[] WeightsFile(Sequential model) => WeightsFile(ModelGroup(model));
}
