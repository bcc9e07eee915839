using System.Text.Json.Serialization;

namespace TransferNotebooks.Layers;

/// <summary>The saved settings of the recurrent layers (<see cref="LSTM"/>, <see cref="GRU"/>), keyed as Keras names them.</summary>
/// <param name="Units">State size.</param>
/// <param name="Activation">Candidate/output activation by Keras name.</param>
/// <param name="RecurrentActivation">Gate activation by Keras name.</param>
/// <param name="UseBias">Whether biases are added.</param>
/// <param name="ReturnSequences">Output every step (true) or the last state.</param>
/// <param name="Dropout">Input dropout rate.</param>
/// <param name="RecurrentDropout">Recurrent-state dropout rate.</param>
/// <param name="ResetAfter">GRU only: reset gate applied after the recurrent product (Keras 2.x/3 default).</param>
/// <param name="GoBackwards">Not supported (Keras files may carry it).</param>
/// <param name="Stateful">Not supported.</param>
/// <param name="ReturnState">Not supported.</param>
/// <param name="TimeMajor">Not supported.</param>
public sealed record RecurrentConfig(int Units, string Activation = "tanh", string RecurrentActivation = "sigmoid", bool UseBias = true,
    bool ReturnSequences = false, double Dropout = 0, double RecurrentDropout = 0, bool? ResetAfter = null,
    bool? GoBackwards = null, bool? Stateful = null, bool? ReturnState = null, bool? TimeMajor = null)
{
    /// <summary>Refuses what the recurrent layers do not implement, naming the setting.</summary>
    public void CheckSupported(string? layer, string type)
    {
        foreach (var (flag, on) in new[] { ("go_backwards", GoBackwards), ("stateful", Stateful), ("return_state", ReturnState), ("time_major", TimeMajor) })
            KerasSettings.Refuse(on == true, layer, type, flag + "=True",
                "only forward, stateless recurrent layers returning their output (return_sequences either way) are supported.");
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, RespectRequiredConstructorParameters = true)]
[JsonSerializable(typeof(RecurrentConfig))]
internal sealed partial class RecurrentJson : JsonSerializerContext;
