using System.Collections;
using TransferNotebooks.Layers;

namespace TransferNotebooks.Models;

/// <summary>A model's layers, indexable by position or by name.</summary>
public sealed class LayerList : IReadOnlyList<Layer>
{
    readonly List<Layer> layers;

    internal LayerList(List<Layer> layers) => this.layers = layers;

    /// <summary>The layer at <paramref name="index"/> (negative counts from the end, as in Python: -1 is the last).</summary>
    public Layer this[int index]
    {
        get
        {
            int i = index < 0 ? layers.Count + index : index;
            if (i < 0 || i >= layers.Count) throw new ArgumentOutOfRangeException(nameof(index), index, $"The model has {layers.Count} layers (valid indices 0..{layers.Count - 1}, or -1 for the last).");
            return layers[i];
        }
    }

    /// <summary>The layer named <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">No such layer; the message lists the names.</exception>
    public Layer this[string name] => layers.FirstOrDefault(l => l.Name == name)
        ?? throw new KeyNotFoundException($"No layer named '{name}'. Layers: {string.Join(", ", layers.Select(l => l.Name))}.");

    /// <summary>The index of the layer named <paramref name="name"/>, or -1.</summary>
    public int IndexOf(string name) => layers.FindIndex(l => l.Name == name);

    /// <inheritdoc />
    public int Count => layers.Count;
    /// <inheritdoc />
    public IEnumerator<Layer> GetEnumerator() => layers.GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
