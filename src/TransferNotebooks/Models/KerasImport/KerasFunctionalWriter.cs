using System.IO.Compression;
using System.Text.Json.Nodes;
using PureHDF;
using TransferNotebooks.Data;
using TransferNotebooks.Layers;

namespace TransferNotebooks.Models.KerasImport;

/// <summary>
/// Writes a functional model as a Keras 3 <c>.keras</c> zip that <c>keras.saving.load_model</c> (<c>functional_from_config</c>) reads:
/// config.json with class_name <c>Functional</c>, the layers in Keras's order with their Keras 3 <c>inbound_nodes</c>
/// (<c>{"args": [__keras_tensor__ ...], "kwargs": {"training": false}}</c>; a merge layer takes a list), <c>input_layers</c> and
/// <c>output_layers</c>; nested Sequential and functional models as their whole configs; and model.weights.h5 laid out as Keras 3's
/// saving walks the model (<c>layers/&lt;snake_case(class)&gt;[_n]/vars/&lt;i&gt;</c>, a nested model's layers under its own <c>layers</c>).
/// Each layer's config and weights come from the layer (<see cref="KerasZipWriter.LayerEntry"/>, <see cref="KerasZipWriter.LayerGroup"/>).
/// </summary>
internal static class KerasFunctionalWriter
{
    /// <summary>Saves <paramref name="model"/> to <paramref name="path"/> (atomically).</summary>
    /// <exception cref="NotSupportedException">A layer has no Keras equivalent (a custom layer).</exception>
    public static void Save(Functional model, string path)
    {
        CheckKerasLayers(model);
        var config = Config(model);
        if (model.IsCompiled) config["compile_config"] = KerasCompileConfig.ToKerasJson(model);
        var weights = KerasZipWriter.WeightsFile(ModelGroup(model));
        AtomicFile.Write(path, stream =>
        {
            using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
            Write(zip, "metadata.json", new JsonObject { ["keras_version"] = KerasZipWriter.LayoutVersion, ["date_saved"] = DateTime.UtcNow.ToString("yyyy-MM-dd@HH:mm:ss") }.ToJsonString());
            Write(zip, "config.json", config.ToJsonString());
            using var w = zip.CreateEntry("model.weights.h5", CompressionLevel.NoCompression).Open();
            w.Write(weights);
        });
    }

    static void Write(ZipArchive zip, string name, string text)
    {
        using var w = new StreamWriter(zip.CreateEntry(name, CompressionLevel.Optimal).Open());
        w.Write(text);
    }

    static void CheckKerasLayers(Functional model)
    {
        foreach (var l in model.Layers)
            switch (l)
            {
                case ModelLayer { Model: Functional f }: CheckKerasLayers(f); break;
                case ModelLayer { Model: Sequential s }:
                    foreach (var inner in s.Layers) Check(inner);
                    break;
                default: Check(l); break;
            }

        static void Check(Layer l)
        {
            if (l.LayerType.IsCustom)
                throw new NotSupportedException($"Layer '{l.Name}' ({l.TypeName}) is a custom layer type, which Keras cannot load; a .keras file can hold "
                    + $"{string.Join(", ", KerasArchitectureReader.SupportedNames)}. Save it as a {Model.Extension} file instead.");
        }
    }

    /// <summary>
    /// The model's layers and inputs (each a <see cref="Layer"/> or an input <see cref="KerasTensor"/>) in the order Keras lists them (<c>Function.map_graph</c>): by depth, the
    /// longest path to the output, deepest first; ties by first visit in a depth-first walk from the output. Keras files weights by
    /// this order, so a file written in another order would give two layers of one class each other's weights.
    /// </summary>
    internal static IReadOnlyList<object> KerasOrder(Functional model)
    {
        var visited = new HashSet<KerasTensor>(ReferenceEqualityComparer.Instance);
        var postOrder = new List<KerasTensor>();
        var firstSeen = new Dictionary<object, int>(ReferenceEqualityComparer.Instance);
        var stack = new Stack<(KerasTensor Tensor, bool Expanded)>();
        foreach (var output in model.Outputs) // Keras walks the outputs in order, sharing what it visited
        {
            stack.Push((output, false));
            while (stack.Count > 0)
            {
                var (t, expanded) = stack.Pop();
                if (expanded) { if (visited.Add(t)) postOrder.Add(t); continue; }
                if (visited.Contains(t)) continue;
                firstSeen.TryAdd(Operation(t), firstSeen.Count);
                stack.Push((t, true));
                for (int i = t.Inputs.Count - 1; i >= 0; i--) stack.Push((t.Inputs[i], false)); // visits inputs in order
            }
        }
        var nodeDepth = new Dictionary<KerasTensor, int>(ReferenceEqualityComparer.Instance);
        var opDepth = new Dictionary<object, int>(ReferenceEqualityComparer.Instance);
        for (int k = postOrder.Count - 1; k >= 0; k--)
        {
            var node = postOrder[k];
            var op = Operation(node);
            int depth = Math.Max(nodeDepth.GetValueOrDefault(node), opDepth.GetValueOrDefault(op));
            opDepth[op] = depth;
            nodeDepth[node] = depth;
            foreach (var parent in node.Inputs) nodeDepth[parent] = Math.Max(depth + 1, nodeDepth.GetValueOrDefault(parent));
        }
        return opDepth.Keys.OrderByDescending(op => opDepth[op]).ThenBy(op => firstSeen[op]).ToList();
    }

    /// <summary>The operation of a node: its layer, or the input tensor itself for the InputLayer.</summary>
    static object Operation(KerasTensor t) => (object?)t.Layer ?? t;

    /// <summary>The Keras 3 serialization of a functional model (its config entry when nested, without compile settings).</summary>
    static JsonObject Config(Functional model)
    {
        var layers = new JsonArray();
        foreach (var operation in KerasOrder(model))
        {
            if (operation is KerasTensor t)
            {
                var input = KerasZipWriter.InputLayerEntry(t.InputName!, t.ShapeArray, FirstLayer(model, t));
                input["name"] = t.InputName;
                input["inbound_nodes"] = new JsonArray();
                layers.Add((JsonNode)input);
                continue;
            }
            var layer = (Layer)operation;
            var entry = layer is ModelLayer nested
                ? nested.Model switch
                {
                    Sequential s => NestedSequential(s),
                    Functional f => Config(f),
                    _ => throw new NotSupportedException($"Layer '{layer.Name}' is a model a .keras file cannot hold."),
                }
                : KerasZipWriter.LayerEntry(layer);
            entry["name"] = layer.Name;
            entry["inbound_nodes"] = new JsonArray(model.Nodes.Where(n => ReferenceEquals(n.Layer, layer)).Select(n => (JsonNode)InboundNode(n, model)).ToArray());
            layers.Add((JsonNode)entry);
        }
        return new JsonObject
        {
            ["module"] = "keras.src.models.functional", ["class_name"] = "Functional",
            ["config"] = new JsonObject
            {
                ["name"] = model.Name, ["trainable"] = model.Layers.Any(l => l.Trainable),
                ["layers"] = layers,
                ["input_layers"] = model.Inputs.Count == 1 ? Reference(model.Input, model) // Keras 3 writes one tensor bare, several as a list
                    : new JsonArray(model.Inputs.Select(i => (JsonNode)Reference(i, model)).ToArray()),
                ["output_layers"] = model.Outputs.Count == 1 ? Reference(model.Output, model)
                    : new JsonArray(model.Outputs.Select(o => (JsonNode)Reference(o, model)).ToArray()),
            },
            ["registered_name"] = "Functional",
            ["build_config"] = new JsonObject { ["input_shape"] = null },
        };
    }

    /// <summary>The first layer called on <paramref name="input"/> (its input dtype gives the InputLayer's).</summary>
    static Layer FirstLayer(Functional model, KerasTensor input) => model.Nodes.First(n => n.Output.Inputs.Contains(input)).Layer;

    static JsonObject NestedSequential(Sequential s)
    {
        var entry = KerasZipWriter.Config(s);
        entry.Remove("compile_config");
        ((JsonObject)entry["config"]!)["trainable"] = s.Layers.Any(l => l.Trainable);
        return entry;
    }

    /// <summary>One call as Keras 3 serializes it: the input tensor (a list of them for merge layers) and the training argument.</summary>
    static JsonObject InboundNode(Functional.Node node, Functional model)
    {
        var tensors = node.Output.Inputs.Select(t => (JsonNode)SymbolicTensor(t, model)).ToArray();
        JsonNode first = node.Layer is MergeLayer ? new JsonArray(tensors) : tensors[0];
        var kwargs = new JsonObject();
        if (node.Training is bool training) kwargs["training"] = training;
        return new JsonObject { ["args"] = new JsonArray(first), ["kwargs"] = kwargs };
    }

    static JsonObject SymbolicTensor(KerasTensor t, Functional model) => new()
    {
        ["class_name"] = "__keras_tensor__",
        ["config"] = new JsonObject
        {
            ["shape"] = KerasZipWriter.Shape(t.ShapeArray), ["dtype"] = "float32", ["keras_history"] = Reference(t, model),
        },
    };

    /// <summary>
    /// [layer, node index, 0] of a tensor. Keras counts a functional model as called once already (the node linking its own input to
    /// its output), so a nested functional model's calls are numbered from 1.
    /// </summary>
    static JsonArray Reference(KerasTensor t, Functional model)
    {
        if (t.IsInput) return new JsonArray(t.InputName, 0, 0);
        var node = model.Nodes.First(n => ReferenceEquals(n.Output, t));
        int offset = node.Layer is ModelLayer { Model: Functional } ? 1 : 0;
        return new JsonArray(node.Layer.Name, node.CallIndex + offset, 0);
    }

    /// <summary>A functional model's weights as Keras 3 files them: its layers (the InputLayer included) and its own (empty) vars.</summary>
    static H5Group ModelGroup(Functional model) => new()
    {
        ["layers"] = KerasZipWriter.LayersGroup(KerasOrder(model).Select(op => op switch
        {
            KerasTensor t => ("InputLayer", (Func<H5Group>)(() => new H5Group { ["vars"] = new H5Group { Attributes = new() { ["name"] = t.InputName! } } })),
            ModelLayer { Model: Sequential s } => ("Sequential", () => KerasZipWriter.ModelGroup(s)),
            ModelLayer { Model: Functional f } => ("Functional", () => ModelGroup(f)),
            Layer l => (l.TypeName, () => KerasZipWriter.LayerGroup(l)),
            _ => throw new InvalidOperationException($"Unexpected graph operation {op}."),
        })),
        ["vars"] = new H5Group { Attributes = new() { ["name"] = model.Name } },
    };
}
