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

    static JsonArray Shape(IEnumerable<int> dims) => new([null, .. dims.Select(d => (JsonNode)d)]);

    static JsonObject Config(Sequential model)
    {
        var input = model.InputShape!;
        var layers = new JsonArray
        {
            (JsonNode)new JsonObject
            {
                ["module"] = "keras.layers", ["class_name"] = "InputLayer",
                ["config"] = new JsonObject
                {
                    ["batch_shape"] = Shape(input), ["dtype"] = model.Layers[0].InputDType is ScalarType.Int64 ? "int32" : "float32",
                    ["sparse"] = false, ["ragged"] = false, ["name"] = "input_layer", ["optional"] = false,
                },
                ["registered_name"] = null,
            },
        };
        foreach (var l in model.Layers)
        {
            var cfg = new JsonObject { ["name"] = l.Name, ["trainable"] = l.Trainable, ["dtype"] = DTypePolicy.DeepClone() };
            foreach (var (k, v) in l.GetConfig()) cfg[k] = v?.DeepClone();
            layers.Add((JsonNode)new JsonObject
            {
                ["module"] = "keras.layers", ["class_name"] = l.TypeName, ["config"] = cfg, ["registered_name"] = null,
                ["build_config"] = new JsonObject { ["input_shape"] = Shape(l.InputShape!) },
            });
        }
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

    static H5Group WithName(H5Group group, string name)
    {
        group.Attributes["name"] = name;
        return group;
    }

    static byte[] WeightsFile(Sequential model)
    {
        var layersGroup = new H5Group();
        var groupNames = KerasWeights.ZipGroupNames(model.Layers.Select(l => new KerasLayerSpec(l.TypeName, l.Name!, [], l.Trainable)));
        for (int i = 0; i < model.Layers.Count; i++)
        {
            var layer = model.Layers[i];
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
            layersGroup[groupNames[i]] = layer.KerasWeightsInCell
                ? new H5Group { ["vars"] = new H5Group { Attributes = new() { ["name"] = layer.Name! } }, ["cell"] = new H5Group { ["vars"] = WithName(vars, KerasArchitectureReader.SnakeCase(layer.TypeName) + "_cell") } }
                : new H5Group { ["vars"] = vars };
        }
        var file = new H5File
        {
            ["layers"] = layersGroup,
            ["vars"] = new H5Group { Attributes = new() { ["name"] = model.Name } },
        };
        using var ms = new MemoryStream();
        file.Write(ms);
        return ms.ToArray();
    }
}
