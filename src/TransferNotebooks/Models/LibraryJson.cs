using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace TransferNotebooks.Models;

/// <summary>
/// The library's System.Text.Json serialization, source-generated: every <see cref="JsonSerializer"/> call in the library passes
/// metadata from here, never the reflection-based default. Apps with reflection-based JSON switched off (.NET 10 file-based apps
/// by default, trimmed and Native AOT apps) can then save and load models. Layer configs are dictionaries whose values are
/// serialized by their run-time type, so each type a config may hold is listed here; optimizer and loss configs are records, each listed here.
/// </summary>
[JsonSerializable(typeof(JsonNode))]
[JsonSerializable(typeof(JsonElement))]
[JsonSerializable(typeof(IReadOnlyDictionary<string, object?>), TypeInfoPropertyName = "LayerConfig")]
[JsonSerializable(typeof(TransferNotebooks.Optimizers.OptimizerConfig))]
[JsonSerializable(typeof(TransferNotebooks.Optimizers.SgdConfig))]
[JsonSerializable(typeof(TransferNotebooks.Optimizers.RmsPropConfig))]
[JsonSerializable(typeof(TransferNotebooks.Optimizers.AdagradConfig))]
[JsonSerializable(typeof(TransferNotebooks.Optimizers.AdamConfig))]
[JsonSerializable(typeof(TransferNotebooks.Optimizers.AdamWConfig))]
[JsonSerializable(typeof(TransferNotebooks.Losses.LossConfig))]
[JsonSerializable(typeof(object))]
[JsonSerializable(typeof(bool))]
[JsonSerializable(typeof(int))]
[JsonSerializable(typeof(long))]
[JsonSerializable(typeof(float))]
[JsonSerializable(typeof(double))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(bool[]))]
[JsonSerializable(typeof(int[]))]
[JsonSerializable(typeof(long[]))]
[JsonSerializable(typeof(float[]))]
[JsonSerializable(typeof(double[]))]
[JsonSerializable(typeof(string[]))]
internal sealed partial class LibraryJson : JsonSerializerContext
{
    /// <summary>A layer's config as a JSON object; a value of a type not listed above gets an error naming the layer and the value.</summary>
    public static JsonNode? LayerConfigNode(IReadOnlyDictionary<string, object?> config, string layer)
    {
        try { return JsonSerializer.SerializeToNode(config, Default.LayerConfig); }
        catch (Exception e) when (e is NotSupportedException or InvalidOperationException) { throw Unsaveable(config, layer, e); }
    }

    /// <summary>One config value as JSON (see <see cref="LayerConfigNode"/>).</summary>
    public static JsonNode? ConfigValueNode(object? value, string layer, string key)
    {
        try { return JsonSerializer.SerializeToNode(value, Default.Object); }
        catch (Exception e) when (e is NotSupportedException or InvalidOperationException)
        {
            throw new NotSupportedException($"Layer '{layer}' has config value '{key}' of type {value?.GetType().Name}, which cannot be saved: "
                + "configs may hold numbers, strings, booleans and arrays of them.", e);
        }
    }

    /// <summary>A JSON node as a <see cref="JsonElement"/> (a JSON null for a missing node).</summary>
    public static JsonElement Element(JsonNode? node) => JsonSerializer.SerializeToElement(node, Default.JsonNode);

    /// <summary>Writes a JSON node indented (two spaces), as the library's model files have always been written.</summary>
    public static void WriteIndented(Stream stream, JsonNode node)
    {
        using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        node.WriteTo(writer);
    }

    static NotSupportedException Unsaveable(IReadOnlyDictionary<string, object?> config, string layer, Exception e)
    {
        var odd = config.FirstOrDefault(kv => kv.Value is not null && !IsListed(kv.Value.GetType()));
        return new NotSupportedException($"Layer '{layer}' has config value '{odd.Key}' of type {odd.Value?.GetType().Name}, which cannot be saved: "
            + "configs may hold numbers, strings, booleans and arrays of them.", e);
    }

    static bool IsListed(Type t) => Default.GetTypeInfo(t) is not null;
}
