using TransferNotebooks.Layers;
using static TorchSharp.torch;

namespace TransferNotebooks.Models;

public sealed partial class Sequential
{
    readonly Dictionary<Layer, Dictionary<string, Tensor>> frozenSnapshots = new(ReferenceEqualityComparer.Instance);

    /// <summary>Sets the flag and remembers a frozen layer's weights, so Summary can show that they did not move.</summary>
    private protected override void SetTrainable(Layer layer, bool trainable)
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
