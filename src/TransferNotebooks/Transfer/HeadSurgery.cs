using TransferNotebooks.Layers;
using TransferNotebooks.Models;

namespace TransferNotebooks.Transfer;

/// <summary>Reusing a pretrained model's layers, and the new head of <see cref="KerasModel.ReplaceHead"/>.</summary>
public static class HeadSurgery
{
    /// <summary>
    /// The new head of <see cref="KerasModel.ReplaceHead"/>: a fresh Dense of <paramref name="units"/> units, with the old head's
    /// activation (unless given) and name (unless given).
    /// </summary>
    /// <exception cref="InvalidOperationException">The old head is not a Dense layer.</exception>
    internal static Layer NewHead(Layer? old, int units, string? activation, string? name)
    {
        // The one layer-type check outside Layers/: a "head" here is by definition a Dense classifier whose units and activation we copy.
        if (old is not Dense dense)
            throw new InvalidOperationException($"ReplaceHead needs a model whose output layer is Dense{(old is null ? "" : $", not {old.TypeName} ('{old.Name}')")}. "
                + "Use Pop() and Add(...) on a Sequential, or build the new head with the functional API (Dense(n).Call(x)).");
        return Keras.Dense(units, activation: activation ?? dense.Activation.Name, name: name ?? dense.Name);
    }

    /// <summary>
    /// A new model made of the first <paramref name="count"/> layers of <paramref name="pretrained"/>. The layers are shared, not
    /// copied: training the new model changes the pretrained one's weights too (freeze them, or Save/Load a copy first).
    /// </summary>
    public static Sequential TakeLayers(this Sequential pretrained, int count, string name = "transfer")
    {
        if (count < 1 || count > pretrained.Layers.Count) throw new ArgumentOutOfRangeException(nameof(count), count, $"The model has {pretrained.Layers.Count} layers.");
        return new Sequential(pretrained.Layers.Take(count), name);
    }
}
