using TransferNotebooks.Layers;
using TransferNotebooks.Models;

namespace TransferNotebooks.Transfer;

/// <summary>Replacing a model's head and reusing a pretrained model's layers.</summary>
public static class HeadSurgery
{
    /// <summary>
    /// Replaces the last Dense layer with a fresh one of <paramref name="units"/> units (same activation unless given), for a new
    /// class count. Returns the model for chaining; the removed layer is disposed.
    /// </summary>
    public static Sequential ReplaceHead(this Sequential model, int units, string? activation = null, string? name = null)
    {
        // The one layer-type check outside Layers/: a "head" here is by definition a Dense classifier whose units and activation we copy.
        if (model.Layers.Count == 0 || model.Layers[-1] is not Dense old)
            throw new InvalidOperationException("ReplaceHead needs a model whose last layer is Dense. Use Pop() and Add(...) for other heads.");
        model.Pop();
        var act = activation ?? old.Activation.Name;
        old.Dispose();
        return model.Add(Keras.Dense(units, activation: act, name: name ?? old.Name));
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
