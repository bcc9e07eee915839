using TransferNotebooks.Layers;
using static TorchSharp.torch;

namespace TransferNotebooks.Models;

public sealed partial class Sequential
{
    readonly Dictionary<Layer, Dictionary<string, Tensor>> frozenSnapshots = new(ReferenceEqualityComparer.Instance);

    /// <summary>
    /// Freezes layers by index range: <c>Freeze()</c> freezes all, <c>Freeze(upTo: -1)</c> all but the last (the usual
    /// "freeze the base, train the head"), <c>Freeze(from: 2, upTo: 5)</c> layers 2..4. Negative indices count from the end.
    /// No recompile is needed. Frozen weights are remembered so <see cref="Summary"/> can show that they did not move.
    /// </summary>
    public Sequential Freeze(int? upTo = null, int? from = null)
    {
        int start = Index(from ?? 0), end = upTo is int u ? Index(u) : layers.Count;
        for (int i = start; i < end; i++) SetTrainable(layers[i], false);
        return this;
    }

    /// <summary>Freezes the named layers.</summary>
    public Sequential Freeze(IEnumerable<string> names)
    {
        foreach (var n in names) SetTrainable(Layers[n], false);
        return this;
    }

    /// <summary>Unfreezes every layer (or the index range given), for fine-tuning the whole model.</summary>
    public Sequential Unfreeze(int? upTo = null, int? from = null)
    {
        int start = Index(from ?? 0), end = upTo is int u ? Index(u) : layers.Count;
        for (int i = start; i < end; i++) SetTrainable(layers[i], true);
        return this;
    }

    int Index(int i)
    {
        int r = i < 0 ? layers.Count + i : i;
        if (r < 0 || r > layers.Count) throw new ArgumentOutOfRangeException(nameof(i), i, $"The model has {layers.Count} layers.");
        return r;
    }

    void SetTrainable(Layer layer, bool trainable)
    {
        if (layer.Trainable == trainable) return;
        layer.Trainable = trainable;
        if (frozenSnapshots.Remove(layer, out var old)) foreach (var t in old.Values) t.Dispose();
        if (!trainable) Remember(layer);
    }

    void Remember(Layer layer)
    {
        if (!layer.Built) return;
        using var noGrad = no_grad();
        frozenSnapshots[layer] = layer.Weights.ToDictionary(w => w.Name, w => w.Value.detach().clone().DetachFromDisposeScope());
    }

    /// <summary>Before training: remember the weights of layers frozen directly (layer.Trainable = false) so drift can be shown.</summary>
    void RememberFrozenWeights()
    {
        foreach (var l in layers)
            if (!l.Trainable && !frozenSnapshots.ContainsKey(l)) Remember(l);
    }

    /// <summary>The largest absolute change of a frozen layer's weights since it was frozen (null when not frozen through this model).</summary>
    public double? DriftOf(Layer layer)
    {
        if (layer.Trainable || !frozenSnapshots.TryGetValue(layer, out var snap)) return null;
        using var noGrad = no_grad();
        double max = 0;
        foreach (var (name, value, _) in layer.Weights)
            if (snap.TryGetValue(name, out var before))
            {
                // Moving statistics of a BatchNormalization that keeps training are expected to move.
                if (layer.UpdatesWhenFrozen(FrozenBatchNorm == FrozenBatchNorm.KeepTraining)) continue;
                using var d = (value - before).abs().max();
                max = Math.Max(max, d.item<float>());
            }
        return max;
    }
}
