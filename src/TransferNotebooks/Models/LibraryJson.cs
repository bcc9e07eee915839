using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace TransferNotebooks.Models;

/// <summary>
/// The library's System.Text.Json serialization, source-generated: every <see cref="JsonSerializer"/> call in the library passes
/// metadata from here, never the reflection-based default. Apps with reflection-based JSON switched off (.NET 10 file-based apps
/// by default, trimmed and Native AOT apps) can then save and load models. Layer configs are records with their own
/// source-generated metadata in each layer's file (see <c>Layers/LayerType</c>); so are optimizer configs (each optimizer's file, base
/// <see cref="TransferNotebooks.Optimizers.OptimizerConfig"/> listed here) and the loss config (<c>Losses/Loss.cs</c>).
/// </summary>
[JsonSerializable(typeof(JsonNode))]
[JsonSerializable(typeof(JsonElement))]
[JsonSerializable(typeof(TransferNotebooks.Optimizers.OptimizerConfig))]
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
    /// <summary>A JSON node as a <see cref="JsonElement"/> (a JSON null for a missing node).</summary>
    public static JsonElement Element(JsonNode? node) => JsonSerializer.SerializeToElement(node, Default.JsonNode);

    /// <summary>Writes a JSON node indented (two spaces), as the library's model files have always been written.</summary>
    public static void WriteIndented(Stream stream, JsonNode node)
    {
        using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        node.WriteTo(writer);
    }
}
