using System.Text.Json;
using System.Text.RegularExpressions;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;

namespace TransferNotebooks.Layers;

/// <summary>
/// What the registry, the savers and the importers know about a layer type, declared once in the layer's own file (Keras's
/// <c>get_config</c>/<c>from_config</c> pair): its name, the Keras class names that map to it, and how its config record is read
/// and written. The record's properties are the config keys (snake_case, as Keras names them); nothing lists them a second time.
/// </summary>
public sealed partial class LayerType
{
    readonly Func<JsonElement, string?, int[]?, Layer> create;
    readonly Func<Layer, JsonObject> write;

    LayerType(string name, IReadOnlyList<string> kerasAliases, bool isCustom, Func<JsonElement, string?, int[]?, Layer> create, Func<Layer, JsonObject> write)
    {
        Name = name;
        IsCustom = isCustom;
        KerasAliases = kerasAliases;
        this.create = create;
        this.write = write;
    }

    /// <summary>The type name in saved files, as Keras spells the class (for example <c>Conv2D</c>).</summary>
    public string Name { get; }

    /// <summary>Keras's default layer name for this type (<c>conv2d</c>, <c>max_pooling2d</c>, <c>batch_normalization</c>).</summary>
    /// <remarks>Worked out once per type: every layer built asks for it, and three regex replacements per layer kept the
    /// runtime recompiling the regex engine's methods during the following Fit calls (docs/benchmarks.md).</remarks>
    public string DefaultName => defaultName ??= SnakeCase(Name);

    string? defaultName;

    /// <summary>Keras's class-name to snake-case rule (Conv2D -> conv2d, MaxPooling2D -> max_pooling2d, BatchNormalization -> batch_normalization).</summary>
    public static string SnakeCase(string className) =>
        LowerUpper().Replace(WordStart().Replace(NonWord().Replace(className, ""), "$1_$2"), "$1_$2").ToLowerInvariant();

    [GeneratedRegex(@"\W+")]
    private static partial Regex NonWord();

    [GeneratedRegex("(.)([A-Z][a-z]+)")]
    private static partial Regex WordStart();

    [GeneratedRegex("([a-z])([A-Z])")]
    private static partial Regex LowerUpper();

    /// <summary>Other Keras class names that mean the same layer (for example <c>Convolution2D</c>, <c>MaxPool2D</c>).</summary>
    public IReadOnlyList<string> KerasAliases { get; }

    /// <summary>True for a layer type defined outside this library (Keras cannot load it from a file we write).</summary>
    public bool IsCustom { get; }

    /// <summary>
    /// Declares a layer type: <paramref name="json"/> reads and writes the config record <typeparamref name="TConfig"/> (source-generated
    /// metadata, so it works where reflection-based JSON is off), <paramref name="config"/> gets a layer's record and
    /// <paramref name="create"/> builds a layer from one.
    /// </summary>
    public static LayerType Of<TLayer, TConfig>(string name, JsonTypeInfo<TConfig> json, Func<TLayer, TConfig> config,
        Func<TConfig, string?, int[]?, TLayer> create, params string[] kerasAliases) where TLayer : Layer =>
        new(name, kerasAliases, typeof(TLayer).Assembly != typeof(LayerType).Assembly,
            (values, layerName, inputShape) =>
            {
                TConfig? record;
                try { record = values.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null ? JsonSerializer.Deserialize("{}", json) : values.Deserialize(json); }
                catch (NotSupportedException e)
                {
                    throw new NotSupportedException($"Layer '{layerName}' ({name}): {e.Message}", e);
                }
                catch (JsonException e)
                {
                    throw new InvalidDataException($"Layer '{layerName}' ({name}) has a config this library cannot read: {e.Message} "
                        + "The model file is incomplete, from an incompatible version, or uses a setting this layer does not support.", e);
                }
                return create(record ?? throw new InvalidDataException($"Layer '{layerName}' ({name}) has no config."), layerName, inputShape);
            },
            layer => JsonSerializer.SerializeToNode(config((TLayer)layer), json)!.AsObject());

    /// <summary>Builds a layer from its saved config (unknown keys are ignored, missing required ones are an error naming the layer).</summary>
    public Layer Create(JsonElement config, string? name, int[]? inputShape) => create(config, name, inputShape);

    /// <summary>The layer's config as a JSON object (Keras's <c>get_config</c>, without name and trainable).</summary>
    public JsonObject WriteConfig(Layer layer) => write(layer);
}
