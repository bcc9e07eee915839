using System.Text.Json;
using System.Text.Json.Nodes;
using TransferNotebooks.Layers;

namespace TransferNotebooks.Models.KerasImport;

/// <summary>
/// One layer of an imported Keras model as the weights files see it, in the config's order: a plain layer with its spec, or a nested
/// model with its own layers (<see cref="Nested"/>). <see cref="ClassName"/> is Keras's class (the .keras weights groups are named after it).
/// </summary>
internal sealed record KerasWeightOwner(string ClassName, string Name, Layer Layer, KerasLayerSpec? Spec, IReadOnlyList<KerasWeightOwner>? Nested)
{
    /// <summary>The plain layers under this one (itself when it is not a model).</summary>
    public IEnumerable<KerasWeightOwner> Leaves => Nested is null ? [this] : Nested.SelectMany(n => n.Leaves);
}

/// <summary>
/// Reads a Keras functional model config (class_name <c>Functional</c> or <c>Model</c>) and rebuilds the graph through the public
/// functional API: an <see cref="Keras.Input"/> per InputLayer, layers from the registry, each layer called on its inbound tensors as
/// soon as they exist (Keras's <c>functional_from_config</c>). Both node formats are read: Keras 2's lists
/// <c>[[layer, node_index, tensor_index, kwargs], ...]</c> and Keras 3's <c>{"args": [...__keras_tensor__...], "kwargs": {...}}</c>.
/// Nested Sequential and functional models become <see cref="ModelLayer"/>s; a layer with several inbound nodes is one shared layer.
/// </summary>
internal static class KerasFunctionalArchitecture
{
    /// <summary>A reference to a layer's output in a config: the layer, its node (call) index in the file, the output index.</summary>
    readonly record struct TensorRef(string Layer, int Node, int Tensor)
    {
        public override string ToString() => $"'{Layer}' (node {Node})";
    }

    /// <summary>One call of a layer read from inbound_nodes: the tensors it takes and its <c>training</c> argument.</summary>
    sealed record Call(IReadOnlyList<TensorRef> Args, bool? Training);

    /// <summary>True for the class names Keras gives functional models.</summary>
    public static bool IsFunctional(string? className) => className is "Functional" or "Model";

    /// <summary>True when the model config (either format) is a functional model.</summary>
    public static bool IsFunctional(JsonNode? root) => root is JsonObject o && IsFunctional(KerasArchitectureReader.Str(o, "class_name"));

    /// <summary>Builds the functional model of <paramref name="root"/>; returns it with its layers in the config's order (for the weights).</summary>
    /// <exception cref="InvalidDataException">The graph is broken (unknown layer, cycle, missing input or output); the message names the layer.</exception>
    /// <exception cref="NotSupportedException">A layer or feature the importer does not support (custom layers, layers with several outputs, ...).</exception>
    public static (Functional Model, IReadOnlyList<KerasWeightOwner> Owners) Build(JsonObject root, string source, List<string> notes)
    {
        var config = root["config"] as JsonObject ?? throw new InvalidDataException($"'{source}': the functional model config is missing.");
        var created = new List<Layer>();
        try { return BuildGraph(config, source, notes, created); }
        catch
        {
            foreach (var l in created) l.Dispose();
            throw;
        }
    }

    static (Functional, IReadOnlyList<KerasWeightOwner>) BuildGraph(JsonObject config, string source, List<string> notes, List<Layer> created)
    {
        var modelName = KerasArchitectureReader.Str(config, "name") ?? "functional";
        if (config["layers"] is not JsonArray entries) throw new InvalidDataException($"'{source}': the functional model '{modelName}' has no layer list.");
        var inputRefs = Refs(config["input_layers"], "input", modelName, source);
        var outputRefs = Refs(config["output_layers"], "output", modelName, source);

        var tensors = new Dictionary<(string, int), KerasTensor>();
        var offsets = new Dictionary<string, int>(StringComparer.Ordinal); // node index of a layer's first call in the file
        var classes = new Dictionary<string, string>(StringComparer.Ordinal);
        var pending = new List<Pending>();
        var inputs = new Dictionary<string, KerasTensor>(StringComparer.Ordinal);
        foreach (var node in entries)
        {
            if (node is not JsonObject entry) throw new InvalidDataException($"'{source}': a layer entry of '{modelName}' is not a JSON object.");
            var cls = KerasArchitectureReader.Str(entry, "class_name") ?? throw new InvalidDataException($"'{source}': a layer entry of '{modelName}' has no class_name.");
            var cfg = entry["config"] as JsonObject ?? [];
            var name = KerasArchitectureReader.Str(entry, "name") ?? KerasArchitectureReader.Str(cfg, "name")
                ?? throw new InvalidDataException($"'{source}': a {cls} layer of '{modelName}' has no name.");
            if (!classes.TryAdd(name, cls))
                throw new InvalidDataException($"'{source}': two layers of '{modelName}' are named '{name}'; layer names must be unique in a model.");
            var calls = ReadCalls(entry["inbound_nodes"], name, source, out bool legacy);
            offsets[name] = FirstNodeIndex(cls, cfg, legacy);
            if (cls == "InputLayer")
            {
                var shape = KerasArchitectureReader.InputLayerShape(cfg, name, source)
                    ?? throw new InvalidDataException($"'{source}': InputLayer '{name}' records no shape.");
                inputs[name] = tensors[(name, 0)] = Keras.Input(shape, name);
                continue;
            }
            pending.Add(new Pending(cls, name, entry, calls));
        }
        if (inputs.Count == 0) throw new InvalidDataException($"'{source}': the functional model '{modelName}' has no InputLayer.");

        // Replay the calls in the config's order, each as soon as its inputs exist; repeat until nothing moves (Keras's algorithm).
        for (bool progress = true; progress;)
        {
            progress = false;
            foreach (var p in pending)
                while (p.Next < p.Calls.Count)
                {
                    var call = p.Calls[p.Next];
                    foreach (var a in call.Args)
                        if (!classes.ContainsKey(a.Layer))
                            throw new InvalidDataException($"'{source}': layer '{p.Name}' ({p.ClassName}) is called on the output of '{a.Layer}', "
                                + $"which is not a layer of '{modelName}' (its layers: {string.Join(", ", classes.Keys)}). The file's graph is broken.");
                    if (!call.Args.All(a => tensors.ContainsKey(Key(a, offsets)))) break;
                    var args = call.Args.Select(a => tensors[Key(a, offsets)]).ToList();
                    p.Layer ??= Create(p, args[0].ShapeArray, source, notes, created);
                    KerasTensor made;
                    try { made = p.Layer.CallSymbolic(args, call.Training); }
                    catch (ArgumentException e)
                    {
                        throw new InvalidDataException($"'{source}': layer '{p.Name}' ({p.ClassName}) does not fit the model's shapes: {e.Message}", e);
                    }
                    tensors[(p.Name, p.Next)] = made;
                    p.Next++;
                    progress = true;
                }
        }
        if (pending.FirstOrDefault(p => p.Next < p.Calls.Count) is { } stuck) throw Unresolved(stuck, pending, offsets, r => tensors.ContainsKey(Key(r, offsets)), modelName, source);

        var outputs = outputRefs.Select(r => tensors.GetValueOrDefault(Key(r, offsets))
            ?? throw new InvalidDataException($"'{source}': an output of '{modelName}' is {r}, which no layer call of the file makes.")).ToList();
        var modelInputs = inputRefs.Select(r => inputs.GetValueOrDefault(r.Layer)
            ?? throw new InvalidDataException($"'{source}': an input of '{modelName}' is '{r.Layer}', which is not one of its InputLayers ({string.Join(", ", inputs.Keys)}).")).ToList();
        foreach (var p in pending.Where(p => p.Layer is null))
            notes.Add($"layer '{p.Name}' ({p.ClassName}) of '{modelName}' is never called and was left out");

        Functional model;
        try { model = new Functional(modelInputs, outputs, modelName); }
        catch (ArgumentException e) { throw new InvalidDataException($"'{source}': the graph of '{modelName}' is not a valid model: {e.Message}", e); }
        if (config["trainable"]?.GetValueKind() == JsonValueKind.False) model.Freeze();
        var owners = pending.Where(p => p.Layer is not null).Select(p => p.Owner!).ToList();
        return (model, owners);
    }

    sealed class Pending(string cls, string name, JsonObject entry, IReadOnlyList<Call> calls)
    {
        public string ClassName { get; } = cls;
        public string Name { get; } = name;
        public JsonObject Entry { get; } = entry;
        public IReadOnlyList<Call> Calls { get; } = calls;
        public int Next { get; set; }
        public Layer? Layer { get; set; }
        public KerasWeightOwner? Owner { get; set; }
    }

    /// <summary>Creates the layer of an entry at its first call (a nested Sequential may need the shape it is called on).</summary>
    static Layer Create(Pending p, int[] inputShape, string source, List<string> notes, List<Layer> created)
    {
        if (IsFunctional(p.ClassName))
        {
            var (nested, owners) = Build(p.Entry, source, notes);
            foreach (var l in nested.Layers) created.Add(l);
            var layer = ((INestedModel)nested).AsLayer();
            p.Owner = new KerasWeightOwner(p.ClassName, p.Name, layer, null, owners);
            return layer;
        }
        if (p.ClassName == "Sequential")
        {
            var arch = KerasArchitectureReader.Read(p.Entry, source, inputShape);
            var seq = KerasArchitectureReader.Build(arch, source, notes);
            foreach (var l in seq.Layers) created.Add(l);
            if (p.Entry["config"]?["trainable"]?.GetValueKind() == JsonValueKind.False) seq.Freeze();
            var layer = ((INestedModel)seq).AsLayer();
            var inner = arch.Layers.Select((s, i) => new KerasWeightOwner(s.ClassName, s.Name, seq.Layers[i], s, null)).ToList();
            p.Owner = new KerasWeightOwner(p.ClassName, p.Name, layer, null, inner);
            return layer;
        }
        var spec = KerasArchitectureReader.ReadSpec(p.Entry, source);
        var made = KerasArchitectureReader.CreateLayer(spec, null, source, notes);
        created.Add(made);
        if (!spec.Trainable) made.Trainable = false;
        p.Owner = new KerasWeightOwner(p.ClassName, p.Name, made, spec, null);
        return made;
    }

    /// <summary>
    /// The file's node index of a layer's first call. Keras counts a model built on its own Input as already called once (the node
    /// linking its input to its output), so calls of a nested functional model start at 1; in Keras 2 (node lists) also those of a
    /// Sequential that starts with an InputLayer (a Functional subclass there), in Keras 3 a Sequential's start at 0.
    /// </summary>
    static int FirstNodeIndex(string cls, JsonObject cfg, bool legacy)
    {
        if (IsFunctional(cls)) return 1;
        if (cls == "Sequential" && legacy)
            return cfg["layers"] is JsonArray { Count: > 0 } layers && layers[0]?["class_name"]?.GetValue<string>() == "InputLayer" ? 1 : 0;
        return 0;
    }

    static (string, int) Key(TensorRef r, Dictionary<string, int> offsets) => (r.Layer, r.Node - offsets.GetValueOrDefault(r.Layer));

    /// <summary>Reads a layer's inbound_nodes (either format); <paramref name="legacy"/> tells Keras 2's list format.</summary>
    static List<Call> ReadCalls(JsonNode? nodes, string layer, string source, out bool legacy)
    {
        legacy = false;
        var calls = new List<Call>();
        if (nodes is null) return calls;
        if (nodes is not JsonArray list) throw new InvalidDataException($"'{source}': the inbound_nodes of layer '{layer}' are not a list.");
        foreach (var node in list)
        {
            if (node is JsonArray legacyNode)
            {
                legacy = true;
                bool? training = null;
                var args = new List<TensorRef>();
                foreach (var item in legacyNode)
                {
                    if (item is not JsonArray a || a.Count < 3)
                        throw new InvalidDataException($"'{source}': an inbound node of layer '{layer}' is not [layer, node_index, tensor_index, kwargs].");
                    args.Add(ReadRef(a, layer, "inbound_nodes", source));
                    if (a.Count > 3 && a[3] is JsonObject kwargs) training ??= Training(kwargs, layer, source);
                }
                calls.Add(new Call(args, training));
            }
            else if (node is JsonObject call)
            {
                var args = call["args"] as JsonArray ?? throw new InvalidDataException($"'{source}': an inbound node of layer '{layer}' has no args.");
                if (args.Count != 1)
                    throw new NotSupportedException($"'{source}': layer '{layer}' is called with {args.Count} positional arguments; only calls on one tensor "
                        + "or one list of tensors can be imported.");
                var tensors = args[0] is JsonArray many ? many.Select(t => KerasTensorRef(t, layer, source)).ToList() : [KerasTensorRef(args[0], layer, source)];
                calls.Add(new Call(tensors, call["kwargs"] is JsonObject kw ? Training(kw, layer, source) : null));
            }
            else throw new InvalidDataException($"'{source}': an inbound node of layer '{layer}' is neither a list nor an object.");
        }
        return calls;
    }

    static bool? Training(JsonObject kwargs, string layer, string source)
    {
        foreach (var (key, value) in kwargs)
            if (key == "training")
            {
                if (value?.GetValueKind() is JsonValueKind.True or JsonValueKind.False) return value.GetValue<bool>();
            }
            else if (key != "mask" && value?.GetValueKind() != JsonValueKind.Null)
                throw new NotSupportedException($"'{source}': layer '{layer}' is called with argument '{key}', which the importer does not support.");
        return null;
    }

    static TensorRef KerasTensorRef(JsonNode? node, string layer, string source)
    {
        if (node is JsonObject o && KerasArchitectureReader.Str(o, "class_name") == "__keras_tensor__" && o["config"]?["keras_history"] is JsonArray h)
            return ReadRef(h, layer, "inbound_nodes", source);
        throw new NotSupportedException($"'{source}': layer '{layer}' is called on {node?.ToJsonString() ?? "null"}, which is not a tensor of the model; "
            + "only calls on layer outputs can be imported.");
    }

    static TensorRef ReadRef(JsonArray a, string layer, string where, string source)
    {
        if (a.Count < 3 || a[0]?.GetValueKind() != JsonValueKind.String || a[1]?.GetValueKind() != JsonValueKind.Number || a[2]?.GetValueKind() != JsonValueKind.Number)
            throw new InvalidDataException($"'{source}': {where} of '{layer}' holds {a.ToJsonString()}, not [layer, node_index, tensor_index].");
        var r = new TensorRef(a[0]!.GetValue<string>(), a[1]!.GetValue<int>(), a[2]!.GetValue<int>());
        if (r.Tensor != 0)
            throw new NotSupportedException($"'{source}': '{layer}' takes output {r.Tensor} of layer '{r.Layer}'; layers with several outputs are not supported.");
        return r;
    }

    /// <summary>The tensors of input_layers/output_layers: one [layer, node, tensor] (Keras 3 writes it bare for one tensor) or a list of them.</summary>
    static List<TensorRef> Refs(JsonNode? node, string what, string model, string source)
    {
        if (node is null) throw new InvalidDataException($"'{source}': the functional model '{model}' records no {what}_layers.");
        if (node is JsonArray bare && bare.Count > 0 && bare[0]?.GetValueKind() == JsonValueKind.String)
            return [ReadRef(bare, model, $"{what}_layers", source)];
        if (node is JsonArray list && list.Count > 0 && list.All(t => t is JsonArray))
            return list.Select(t => ReadRef((JsonArray)t!, model, $"{what}_layers", source)).ToList();
        throw new NotSupportedException($"'{source}': the {what}s of the functional model '{model}' are {node.ToJsonString()}; only a list of tensors "
            + "[layer, node_index, tensor_index] can be imported (not a dictionary of named inputs).");
    }

    /// <summary>The error for calls that can never run: a cycle (named layer by layer) or a call on a node that does not exist.</summary>
    static InvalidDataException Unresolved(Pending stuck, List<Pending> pending, Dictionary<string, int> offsets, Func<TensorRef, bool> exists, string model, string source)
    {
        var byName = pending.ToDictionary(p => p.Name);
        var path = new List<string> { stuck.Name };
        var current = stuck;
        while (true)
        {
            var waiting = current.Calls[current.Next].Args.FirstOrDefault(a => byName.TryGetValue(a.Layer, out var w) && w.Next < w.Calls.Count && Key(a, offsets).Item2 >= w.Next);
            if (waiting.Layer is null || !byName.TryGetValue(waiting.Layer, out var next)) break;
            int seen = path.IndexOf(next.Name);
            path.Add(next.Name);
            if (seen >= 0)
                return new InvalidDataException($"'{source}': the graph of '{model}' has a cycle: {string.Join(" <- ", path.Skip(seen).Select(n => $"'{n}'"))} "
                    + "(each layer is called on the output of the next); a Keras model's graph cannot loop, so the file is broken.");
            current = next;
        }
        var missing = stuck.Calls[stuck.Next].Args.First(a => !exists(a));
        return new InvalidDataException($"'{source}': layer '{stuck.Name}' ({stuck.ClassName}) of '{model}' is called on the output of {missing}, "
            + "which no call in the file makes; the graph is broken or incomplete.");
    }
}
