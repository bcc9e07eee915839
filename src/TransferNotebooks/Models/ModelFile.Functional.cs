using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Nodes;
using TransferNotebooks.Data;
using TransferNotebooks.Layers;
using static TorchSharp.torch;

namespace TransferNotebooks.Models;

// Functional models in our file (saved and loaded by ModelFile.Save/Load with Sequential ones): config.json has class_name "Functional", the inputs (name and shape of each), the layers in the order they
// first run, each with its config and its calls as Keras's inbound_nodes (the tensors each call takes, as [layer, call, 0]), a nested
// model's own config under "model", and the output as [layer, call, 0]. Weights are the model's named weights (nested: model/layer.weight).
internal static partial class ModelFile
{
    /// <summary>The class name of functional configs.</summary>
    const string FunctionalClass = "Functional";

    static JsonArray Ref(KerasTensor t, Functional model) => t.IsInput
        ? new JsonArray(t.InputName, 0, 0)
        : new JsonArray(t.Layer!.Name, model.Nodes.First(n => ReferenceEquals(n.Output, t)).CallIndex, 0);

    /// <summary>The config.json of a functional model (see the file remarks).</summary>
    static JsonObject Config(Functional model)
    {
        var layers = new JsonArray();
        foreach (var l in model.Layers)
        {
            var calls = new JsonArray(model.Nodes.Where(n => ReferenceEquals(n.Layer, l))
                .Select(n => (JsonNode)new JsonObject
                {
                    ["args"] = new JsonArray(n.Output.Inputs.Select(i => (JsonNode)Ref(i, model)).ToArray()),
                    ["training"] = n.Training,
                }).ToArray());
            var entry = new JsonObject { ["type"] = l.TypeName, ["name"] = l.Name };
            // One of the two layer-type checks outside Layers/: a nested model is saved as its whole model config, not a layer config.
            if (l is ModelLayer nested)
                entry["model"] = nested.Model switch
                {
                    Sequential s => Config(s),
                    Functional f => Config(f),
                    _ => throw new NotSupportedException($"Layer '{l.Name}' is a model this file cannot hold."),
                };
            else
            {
                entry["trainable"] = l.Trainable;
                entry["learning_rate_multiplier"] = l.LearningRateMultiplier;
                entry["config"] = l.GetConfig();
            }
            entry["inbound_nodes"] = calls;
            layers.Add((JsonNode)entry);
        }
        var root = new JsonObject
        {
            ["class_name"] = FunctionalClass,
            ["name"] = model.Name,
            ["frozen_batch_norm"] = model.FrozenBatchNorm.ToString(),
            ["inputs"] = new JsonArray(model.Inputs.Select(i => (JsonNode)new JsonObject { ["name"] = i.InputName, ["shape"] = new JsonArray(i.ShapeArray.Select(d => (JsonNode)d).ToArray()) }).ToArray()),
            ["layers"] = layers,
            ["outputs"] = new JsonArray(model.Outputs.Select(o => (JsonNode)Ref(o, model)).ToArray()),
        };
        if (model.IsCompiled) root["compile"] = CompileJson(model.Optimizer, model.Loss, model.MetricNames);
        return root;
    }

    /// <summary>Rebuilds the graph: creates the layers (registry, or nested models), then replays their calls as soon as their inputs exist (Keras's algorithm).</summary>
    static Functional FunctionalFromConfig(JsonNode config, string path)
    {
        // "inputs" since several inputs; files of the first functional version have one "input".
        var inputNodes = config["inputs"]?.AsArray().ToList() ?? (config["input"] is JsonNode one ? [one] : throw new InvalidDataException($"'{path}': the functional config has no inputs."));
        var inputs = inputNodes.Select(n => Keras.Input(n!["shape"]!.AsArray().Select(d => d!.GetValue<int>()), n["name"]?.GetValue<string>())).ToList();
        var tensors = inputs.ToDictionary(i => (i.InputName!, 0));
        var pending = new List<(Layer Layer, JsonArray Calls, int Next)>();
        foreach (var node in config["layers"]?.AsArray() ?? throw new InvalidDataException($"'{path}': config.json has no layers."))
        {
            var name = node!["name"]?.GetValue<string>();
            Layer layer;
            if (node["model"] is JsonNode nested)
                layer = nested["class_name"]?.GetValue<string>() == FunctionalClass
                    ? ((INestedModel)FunctionalFromConfig(nested, path)).AsLayer()
                    : ((INestedModel)FromConfig(nested)).AsLayer();
            else
            {
                layer = LayerRegistry.Create(node["type"]!.GetValue<string>(), LibraryJson.Element(node["config"]), name, null);
                layer.LearningRateMultiplier = node["learning_rate_multiplier"]?.GetValue<double>() ?? 1.0;
                if (node["trainable"]?.GetValue<bool>() == false) layer.Trainable = false;
            }
            pending.Add((layer, node["inbound_nodes"]?.AsArray() ?? [], 0));
        }
        for (bool progress = true; progress;)
        {
            progress = false;
            for (int i = 0; i < pending.Count; i++)
            {
                var (layer, calls, next) = pending[i];
                while (next < calls.Count)
                {
                    var call = calls[next]!;
                    var args = call["args"]!.AsArray().Select(a => (a![0]!.GetValue<string>(), a[1]!.GetValue<int>())).ToList();
                    if (!args.All(tensors.ContainsKey)) break;
                    bool? training = call["training"]?.GetValue<bool>();
                    tensors[(layer.Name!, next)] = layer.CallSymbolic(args.Select(a => tensors[a]).ToList(), training);
                    next++;
                    progress = true;
                }
                pending[i] = (layer, calls, next);
            }
        }
        if (pending.FirstOrDefault(p => p.Next < p.Calls.Count) is { Layer: not null } stuck)
            throw new InvalidDataException($"'{path}': layer '{stuck.Layer.Name}' is called on tensors no layer of the file makes; the file is incomplete.");
        // "outputs" since several outputs; files of the first functional version have one "output".
        var outputRefs = config["outputs"]?.AsArray().ToList() ?? (config["output"] is JsonNode single ? [single] : throw new InvalidDataException($"'{path}': the functional config has no outputs."));
        var outputTensors = outputRefs.Select(o => tensors.GetValueOrDefault((o![0]!.GetValue<string>(), o[1]!.GetValue<int>()))
            ?? throw new InvalidDataException($"'{path}': the output '{o[0]}' is not made by any layer of the file.")).ToList();
        var model = new Functional(inputs, outputTensors, config["name"]?.GetValue<string>() ?? "functional");
        if (Enum.TryParse<FrozenBatchNorm>(config["frozen_batch_norm"]?.GetValue<string>(), out var fbn)) model.FrozenBatchNorm = fbn;
        return model;
    }
}
