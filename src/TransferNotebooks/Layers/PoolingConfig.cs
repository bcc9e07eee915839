using System.Text.Json.Serialization;

namespace TransferNotebooks.Layers;

/// <summary>The saved settings of the windowed pooling layers (<see cref="MaxPooling1D"/>, <see cref="MaxPooling2D"/>, <see cref="AveragePooling2D"/>).</summary>
/// <param name="PoolSize">Window (one number or one per spatial dimension; square windows only); 2 when absent.</param>
/// <param name="Strides">Step; the window when absent.</param>
/// <param name="Padding"><c>valid</c> or <c>same</c>.</param>
/// <param name="DataFormat">Only <c>channels_last</c> is supported.</param>
public sealed record PoolingConfig([property: JsonConverter(typeof(IntsConverter))] int[]? PoolSize = null,
    [property: JsonConverter(typeof(IntsConverter))] int[]? Strides = null, string Padding = "valid", string DataFormat = "channels_last")
{
    /// <summary>The window and stride as single numbers, refusing non-square ones and other data formats.</summary>
    public (int PoolSize, int? Strides) Square(string? layer, string type)
    {
        KerasSettings.RequireChannelsLast(DataFormat, layer, type);
        foreach (var (key, v) in new[] { ("pool_size", PoolSize), ("strides", Strides) })
            if (v is { } values && values.Distinct().Count() > 1)
                throw new NotSupportedException($"Layer '{layer}' ({type}) has non-square {key} [{string.Join(", ", values)}]; only square pooling windows are supported.");
        return (PoolSize?[0] ?? 2, Strides?[0]);
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, RespectRequiredConstructorParameters = true)]
[JsonSerializable(typeof(PoolingConfig))]
internal sealed partial class PoolingJson : JsonSerializerContext;
