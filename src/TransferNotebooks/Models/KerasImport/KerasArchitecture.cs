using System.Text.Json;
using System.Text.Json.Nodes;
using TransferNotebooks.Layers;

namespace TransferNotebooks.Models.KerasImport;

/// <summary>One layer of a Keras Sequential config, normalised across Keras 2 and Keras 3.</summary>
internal sealed record KerasLayerSpec(string ClassName, string Name, JsonObject Config, bool Trainable);

/// <summary>A Keras Sequential model's architecture: its name, per-sample input shape and layers (InputLayer removed).</summary>
internal sealed record KerasArchitecture(string Name, int[] InputShape, IReadOnlyList<KerasLayerSpec> Layers);

/// <summary>
/// Reads Keras model configs (the <c>model_config</c> attribute of a legacy .h5 file or the <c>config.json</c> of a .keras zip) into
/// layer specifications and builds them through <see cref="LayerRegistry"/>. Only Sequential models with supported layers load; anything
/// else gets an error naming the layer or feature.
/// </summary>
internal static class KerasArchitectureReader
{
    /// <summary>The Keras layer types the importer understands (every registered layer type; aliases map through the registry).</summary>
    public static IEnumerable<string> SupportedNames => LayerRegistry.Names;

    /// <summary>Parses a model config (either Keras 2's <c>{class_name, config}</c> or Keras 3's <c>{module, class_name, config, build_config, ...}</c>).</summary>
    /// <param name="root">The model config.</param>
    /// <param name="source">The file, for messages.</param>
    /// <param name="inputShapeIfUnrecorded">The input shape to use when the config records none (a Sequential nested in a functional
    /// model takes the shape of the tensor it is called on).</param>
    public static KerasArchitecture Read(JsonNode root, string source, int[]? inputShapeIfUnrecorded = null)
    {
        if (root is not JsonObject obj) throw new InvalidDataException($"'{source}': the model config is not a JSON object.");
        var className = Str(obj, "class_name") ?? throw new InvalidDataException($"'{source}': the model config has no class_name; the file is not a Keras model.");
        // Keras 2.0-2.2 wrote a Sequential config as a bare list of layers; later versions as {name, layers}.
        var config = obj["config"] as JsonObject ?? (obj["config"] is JsonArray bare ? new JsonObject { ["layers"] = bare.DeepClone() } : null);
        if (className is "Functional" or "Model")
            throw new NotSupportedException($"'{source}' holds a Keras functional model (class '{className}'), not a Sequential one: "
                + "Model.Load(path) loads it as a Functional.");
        if (className != "Sequential")
            throw new NotSupportedException($"'{source}' holds a model of custom class '{className}'" + (Str(obj, "registered_name") is { } r ? $" (registered as '{r}')" : "")
                + ". Custom objects (subclassed models and layers) cannot be imported; only keras.Sequential models of built-in layers can.");
        if (config is null) throw new InvalidDataException($"'{source}': the Sequential config is missing.");
        if (config["layers"] is not JsonArray layers) throw new InvalidDataException($"'{source}': the Sequential config has no layer list.");

        int[]? inputShape = null;
        var specs = new List<KerasLayerSpec>();
        foreach (var node in layers)
        {
            if (node is not JsonObject entry) throw new InvalidDataException($"'{source}': a layer entry is not a JSON object.");
            var cls = Str(entry, "class_name") ?? throw new InvalidDataException($"'{source}': a layer entry has no class_name.");
            var cfg = entry["config"] as JsonObject ?? [];
            var name = Str(cfg, "name") ?? Str(entry, "name") ?? SnakeCase(cls);
            if (cls == "InputLayer")
            {
                inputShape ??= InputLayerShape(cfg, name, source);
                continue;
            }
            var spec = ReadSpec(entry, source);
            if (specs.Count == 0)
                inputShape ??= BatchShape(cfg, "batch_input_shape", name, source) ?? BatchShape(cfg, "batch_shape", name, source)
                    ?? (entry["build_config"]?["input_shape"] is JsonArray b ? Dims(b, name, source, dropBatch: true) : null);
            specs.Add(spec);
        }
        if (specs.Count == 0) throw new InvalidDataException($"'{source}': the Sequential model has no layers.");
        inputShape ??= obj["build_config"]?["input_shape"] is JsonArray mb ? Dims(mb, "model", source, dropBatch: true) : null;
        inputShape ??= config["build_input_shape"] is JsonArray bi ? Dims(bi, "model", source, dropBatch: true) : null;
        inputShape ??= inputShapeIfUnrecorded;
        if (inputShape is null)
            throw new NotSupportedException($"'{source}': the model's input shape is not recorded (the Keras model was never built). "
                + "Build it in Keras (call it on data or give an Input) before saving, or rebuild the architecture here.");
        return new KerasArchitecture(Str(config, "name") ?? "sequential", inputShape, specs);
    }

    /// <summary>The per-sample shape an InputLayer config declares (Keras 3 batch_shape, Keras 2 batch_input_shape, or input_shape).</summary>
    internal static int[]? InputLayerShape(JsonObject cfg, string name, string source) =>
        BatchShape(cfg, "batch_shape", name, source) ?? BatchShape(cfg, "batch_input_shape", name, source)
            ?? (cfg["input_shape"] is JsonArray s ? Dims(s, name, source) : null);

    /// <summary>One layer entry of a model config as a spec, after checking the importer supports it (errors name the layer).</summary>
    internal static KerasLayerSpec ReadSpec(JsonObject entry, string source)
    {
        var cls = Str(entry, "class_name") ?? throw new InvalidDataException($"'{source}': a layer entry has no class_name.");
        var cfg = entry["config"] as JsonObject ?? [];
        var name = Str(cfg, "name") ?? Str(entry, "name") ?? SnakeCase(cls);
        CheckSupported(cls, name, entry, cfg, source);
        return new KerasLayerSpec(LayerRegistry.Find(cls)!.Name, name, cfg, cfg["trainable"]?.GetValueKind() != JsonValueKind.False);
    }

    /// <summary>Creates one layer through the registry from its spec (activations normalised; errors name the layer).</summary>
    internal static Layer CreateLayer(KerasLayerSpec spec, int[]? inputShape, string source, List<string> notes)
    {
        var values = Normalise(spec, source, notes);
        try { return LayerRegistry.Create(spec.ClassName, values, spec.Name, inputShape); }
        catch (NotSupportedException e) { throw new NotSupportedException($"'{source}': {e.Message}", e); }
        catch (Exception e) when (e is ArgumentException or InvalidDataException or InvalidOperationException or FormatException)
        {
            throw new NotSupportedException($"'{source}': layer '{spec.Name}' ({spec.ClassName}) cannot be created: {e.Message}", e);
        }
    }

    static void CheckSupported(string cls, string name, JsonObject entry, JsonObject cfg, string source)
    {
        if (cls == "Lambda")
            throw new NotSupportedException($"'{source}': layer '{name}' is a Lambda layer, which holds Python code that cannot be imported. "
                + "Replace it with built-in layers in Keras and save again, or rebuild the model here and load the other layers' weights.");
        var module = Str(entry, "module");
        bool custom = (module is not null && !module.StartsWith("keras", StringComparison.Ordinal))
            || (Str(entry, "registered_name") is { } reg && reg != cls && reg.Contains('>'));
        if (custom || !LayerRegistry.Contains(cls))
            throw new NotSupportedException($"'{source}': layer '{name}' has type {cls}" + (custom ? " (a custom object)" : "")
                + $", which the Keras importer does not support. Supported layer types: {string.Join(", ", SupportedNames)}.");
        // Settings any Keras layer may carry; layer-specific ones (dilation, keepdims, renorm, ...) are checked by each layer's config.
        if (cfg["lora_rank"] is JsonNode)
            throw new NotSupportedException($"'{source}': layer '{name}' ({cls}) has LoRA enabled; merge the LoRA weights in Keras before saving.");
        if (cfg["quantization_config"] is JsonObject || Str(cfg["dtype"] as JsonObject ?? [], "class_name") is { } p && p.Contains("Quantized", StringComparison.Ordinal))
            throw new NotSupportedException($"'{source}': layer '{name}' ({cls}) is quantized; quantized Keras layers are not supported.");
    }

    /// <summary>Creates the layers through the registry, builds them for the input shape and applies trainable flags.</summary>
    public static Sequential Build(KerasArchitecture arch, string source, List<string> notes)
    {
        var model = new Sequential([], arch.Name);
        try
        {
            foreach (var spec in arch.Layers)
            {
                var layer = CreateLayer(spec, model.Layers.Count == 0 ? arch.InputShape : null, source, notes);
                try
                {
                    model.Add(layer);
                    if (!layer.Built) layer.Build(model.Layers.Count == 1 ? arch.InputShape : model.Layers[^2].OutputShape!);
                }
                catch (NotSupportedException e)
                {
                    layer.Dispose();
                    throw new NotSupportedException($"'{source}': {e.Message}", e);
                }
                catch (ArgumentException e)
                {
                    layer.Dispose();
                    throw new InvalidDataException($"'{source}': layer '{spec.Name}' ({spec.ClassName}) does not fit the model's shapes: {e.Message}", e);
                }
                if (!spec.Trainable) layer.Trainable = false;
            }
        }
        catch
        {
            model.Dispose();
            throw;
        }
        return model;
    }

    /// <summary>The config with values in the shape our registry reads: activations as plain names.</summary>
    static JsonElement Normalise(KerasLayerSpec spec, string source, List<string> notes)
    {
        var copy = (JsonObject)spec.Config.DeepClone();
        foreach (var key in new[] { "activation", "recurrent_activation" })
        {
            if (copy[key] is not JsonNode act) continue;
            var name = ActivationName(act);
            if (name is null || !Activations.Names.Contains(name, StringComparer.OrdinalIgnoreCase))
                throw new NotSupportedException($"'{source}': layer '{spec.Name}' ({spec.ClassName}) uses {key} {act.ToJsonString()}, which is not supported. "
                    + $"Supported activations: {string.Join(", ", Activations.Names.Order())}.");
            copy[key] = name;
        }
        foreach (var key in new[] { "kernel_regularizer", "bias_regularizer", "activity_regularizer", "gamma_regularizer", "beta_regularizer", "embeddings_regularizer",
                                    "kernel_constraint", "bias_constraint", "gamma_constraint", "beta_constraint", "embeddings_constraint",
                                    "recurrent_regularizer", "recurrent_constraint" })
            if (copy[key] is JsonObject)
                notes.Add($"layer '{spec.Name}': {key} ignored (it affects training only)");
        return LibraryJson.Element(copy);
    }

    static string? ActivationName(JsonNode act) => act switch
    {
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        JsonValue v when v.GetValueKind() == JsonValueKind.Null => "linear",
        JsonObject o => o["config"] is JsonValue c && c.GetValueKind() == JsonValueKind.String ? c.GetValue<string>()
            : o["config"]?["name"] is JsonValue n && n.GetValueKind() == JsonValueKind.String ? n.GetValue<string>()
            : Str(o, "class_name") is { } cn ? SnakeCase(cn) : null,
        _ => null,
    };

    static int[]? BatchShape(JsonObject cfg, string key, string layer, string source) =>
        cfg[key] is JsonArray a ? Dims(a, layer, source, dropBatch: true) : null;

    static int[] Dims(JsonArray a, string layer, string source, bool dropBatch = false)
    {
        var dims = a.Skip(dropBatch ? 1 : 0).ToList();
        if (dims.Any(d => d is null || d.GetValueKind() == JsonValueKind.Null))
            throw new NotSupportedException($"'{source}': layer '{layer}' declares input shape {a.ToJsonString()} with a variable (None) dimension; "
                + "only fixed input shapes can be imported.");
        return dims.Select(d => d!.GetValue<int>()).ToArray();
    }

    internal static string? Str(JsonObject o, string key) => o[key] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    /// <summary>Keras's class-name to snake-case rule (see <see cref="LayerType.SnakeCase"/>).</summary>
    public static string SnakeCase(string name) => LayerType.SnakeCase(name);
}
