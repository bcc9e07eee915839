using System.Text.Json.Serialization;

namespace TransferNotebooks.Layers;

/// <summary>The saved settings of the convolution layers (<see cref="Conv1D"/>, <see cref="Conv2D"/>), keyed as Keras names them.</summary>
/// <param name="Filters">Output channels.</param>
/// <param name="KernelSize">Window size (one number or one per spatial dimension).</param>
/// <param name="Strides">Step (one number or one per spatial dimension); 1 when absent.</param>
/// <param name="Padding"><c>valid</c> or <c>same</c>.</param>
/// <param name="Activation">Activation by Keras name.</param>
/// <param name="UseBias">Whether a bias is added.</param>
/// <param name="DataFormat">Only <c>channels_last</c> is supported.</param>
/// <param name="DilationRate">Only 1 is supported (Keras files may carry it).</param>
/// <param name="Groups">Only 1 is supported (Keras files may carry it).</param>
public sealed record ConvolutionConfig(int Filters, [property: JsonConverter(typeof(IntsConverter))] int[] KernelSize,
    [property: JsonConverter(typeof(IntsConverter))] int[]? Strides = null, string Padding = "valid", string Activation = "linear", bool UseBias = true,
    string DataFormat = "channels_last", [property: JsonConverter(typeof(IntsConverter))] int[]? DilationRate = null, int Groups = 1)
{
    /// <summary>Refuses what the convolution layers do not implement, naming the setting.</summary>
    public void CheckSupported(string? layer, string type)
    {
        KerasSettings.RequireChannelsLast(DataFormat, layer, type);
        if (DilationRate is { } d && d.Any(v => v != 1))
            throw new NotSupportedException($"Layer '{layer}' ({type}) uses dilation_rate [{string.Join(", ", d)}]; dilated convolutions are not supported.");
        if (Groups != 1) throw new NotSupportedException($"Layer '{layer}' ({type}) uses groups={Groups}; grouped convolutions are not supported.");
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, RespectRequiredConstructorParameters = true)]
[JsonSerializable(typeof(ConvolutionConfig))]
internal sealed partial class ConvolutionJson : JsonSerializerContext;
