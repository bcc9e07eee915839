namespace TransferNotebooks;

/// <summary>
/// The Keras-style entry points: one factory per layer (each defined next to its layer in <c>Layers/</c>), so that
/// <c>using static TransferNotebooks.Keras;</c> (C#) or <c>open type TransferNotebooks.Keras</c> (F#) lets a model read
/// <c>new Sequential(Flatten(inputShape: [28, 28]), Dense(128, activation: "relu"), Dense(10, activation: "softmax"))</c>.
/// </summary>
public static partial class Keras
{
}
