using System.Text.Json.Serialization;

namespace TransferNotebooks.Layers;

/// <summary>The saved settings of the global pooling layers, keyed as Keras names them.</summary>
/// <param name="DataFormat">Only <c>channels_last</c> is supported.</param>
/// <param name="Keepdims">Only false is supported.</param>
public sealed record GlobalPoolingConfig(string DataFormat = "channels_last", bool Keepdims = false)
{
    /// <summary>Refuses what the global pooling layers do not implement, naming the setting.</summary>
    public void CheckSupported(string? layer, string type)
    {
        KerasSettings.RequireChannelsLast(DataFormat, layer, type);
        KerasSettings.Refuse(Keepdims, layer, type, "keepdims=True", "the pooled axes are always dropped.");
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, RespectRequiredConstructorParameters = true)]
[JsonSerializable(typeof(GlobalPoolingConfig))]
internal sealed partial class GlobalPoolingJson : JsonSerializerContext;
