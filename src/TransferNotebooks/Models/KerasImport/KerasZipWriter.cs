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
/// <c>layers/&lt;snake_case(class)&gt;[_n]/vars/&lt;i&gt;</c> in Keras's creation order. Conv2D kernels go back to (kh, kw, in, out).
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
            if (!KerasArchitectureReaderNames.Contains(l.TypeName))
                throw new NotSupportedException($"Layer '{l.Name}' ({l.TypeName}) has no Keras equivalent this library can write; SaveKeras supports {string.Join(", ", KerasArchitectureReaderNames)}.");
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
                    ["batch_shape"] = Shape(input), ["dtype"] = model.Layers[0] is Embedding ? "int32" : "float32",
                    ["sparse"] = false, ["ragged"] = false, ["name"] = "input_layer", ["optional"] = false,
                },
                ["registered_name"] = null,
            },
        };
        foreach (var l in model.Layers)
        {
            var cfg = new JsonObject { ["name"] = l.Name, ["trainable"] = l.Trainable, ["dtype"] = DTypePolicy.DeepClone() };
            foreach (var (k, v) in l.GetConfig()) cfg[k] = LibraryJson.ConfigValueNode(v, l.Name ?? l.TypeName, k);
            if (l is Conv2D or MaxPooling2D or AveragePooling2D or Flatten or GlobalAveragePooling1D or GlobalAveragePooling2D) cfg["data_format"] = "channels_last";
            if (l is Conv2D) { cfg["dilation_rate"] = new JsonArray(1, 1); cfg["groups"] = 1; }
            if (l is BatchNormalization) { cfg["axis"] = -1; cfg["center"] = true; cfg["scale"] = true; }
            if (l is GlobalAveragePooling1D or GlobalAveragePooling2D) cfg["keepdims"] = false;
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
        var specs = model.Layers.Select(l => new KerasLayerSpec(l.TypeName, l.Name!, [], l.Trainable)).ToList();
        var groupNames = KerasWeights.ZipGroupNames(specs);
        for (int i = 0; i < model.Layers.Count; i++)
        {
            var layer = model.Layers[i];
            var vars = new H5Group { Attributes = new() { ["name"] = layer.Name! } };
            var byName = layer.Weights.ToDictionary(w => w.Name, w => w.Value);
            int k = 0;
            foreach (var name in KerasWeights.KerasOrder(specs[i]))
            {
                if (!byName.TryGetValue(name, out var t)) continue;
                using var scope = NewDisposeScope();
                var value = t.detach();
                if (layer is Conv2D && name == "kernel") value = value.permute(2, 3, 1, 0);
                if (layer is Conv1D && name == "kernel") value = value.permute(2, 1, 0);
                value = value.contiguous().to_type(ScalarType.Float32).cpu();
                var data = value.data<float>().ToArray();
                vars[(k++).ToString()] = new H5Dataset(data, fileDims: value.shape.Select(d => (ulong)d).ToArray());
            }
            layersGroup[groupNames[i]] = KerasWeights.HasCell(layer.TypeName)
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
