using System.Text.Json;
using System.Text.Json.Nodes;
using TransferNotebooks.Layers;
using static TorchSharp.torch;

namespace TransferNotebooks.Models.KerasImport;

/// <summary>Copies weights read from a Keras file into our layers, converting layouts (Conv2D kernels (kh, kw, in, out) to (out, in, kh, kw)).</summary>
internal static class KerasWeights
{
    /// <summary>
    /// The names of a layer's variables in the order Keras creates and saves them (the order of <c>vars/0</c>, <c>vars/1</c>, ...
    /// in a .keras file), given the layer's config.
    /// </summary>
    public static IReadOnlyList<string> KerasOrder(KerasLayerSpec spec)
    {
        bool Flag(string key) => spec.Config[key]?.GetValueKind() != JsonValueKind.False;
        return spec.ClassName switch
        {
            "Dense" or "Conv2D" or "Conv1D" => Flag("use_bias") ? ["kernel", "bias"] : ["kernel"],
            "BatchNormalization" => [.. Flag("scale") ? new[] { "gamma" } : [], .. Flag("center") ? new[] { "beta" } : [], "moving_mean", "moving_variance"],
            "Embedding" => ["embeddings"],
            "LSTM" or "GRU" => Flag("use_bias") ? ["kernel", "recurrent_kernel", "bias"] : ["kernel", "recurrent_kernel"],
            _ => [],
        };
    }

    /// <summary>True for layers whose variables Keras files under their cell (<c>layers/lstm/cell/vars</c> in a .keras file).</summary>
    public static bool HasCell(string className) => className is "LSTM" or "GRU";

    /// <summary>Keras's short name of a saved variable: <c>dense/kernel:0</c> and <c>sequential/dense/kernel</c> both give <c>kernel</c>.</summary>
    public static string ShortName(string weightName)
    {
        var last = weightName[(weightName.LastIndexOf('/') + 1)..];
        int colon = last.LastIndexOf(':');
        return colon > 0 && last[(colon + 1)..].All(char.IsDigit) ? last[..colon] : last;
    }

    /// <summary>Checks every saved weight against the layer and copies it in; nothing is copied for the layer if any check fails.</summary>
    public static void Assign(Layer layer, KerasLayerSpec spec, IReadOnlyList<SavedWeight> saved, string source)
    {
        var targets = layer.Weights.ToDictionary(w => w.Name, w => w.Value);
        var expected = KerasOrder(spec);
        if (saved.Count != expected.Count)
            throw new InvalidDataException($"'{source}': layer '{spec.Name}' ({spec.ClassName}) has {saved.Count} saved weight(s) but its config implies {expected.Count} "
                + $"({string.Join(", ", expected)}). The weights do not belong to this architecture.");
        var plan = new List<(Tensor To, Tensor From)>();
        try
        {
            foreach (var w in saved)
            {
                if (!targets.TryGetValue(w.Name, out var to))
                    throw new InvalidDataException($"'{source}': layer '{spec.Name}' ({spec.ClassName}) has a saved weight '{w.Name}' that the layer does not have "
                        + $"(it has {string.Join(", ", targets.Keys)}).");
                long expectedCount = w.Shape.Aggregate(1L, (a, b) => a * b);
                if (w.Values.Length != expectedCount)
                    throw new InvalidDataException($"'{source}': weight '{spec.Name}/{w.Name}' holds {w.Values.Length} values but its shape {w.ShapeText} needs {expectedCount}; the file is corrupt.");
                var from = tensor(w.Values, w.Shape);
                if (layer is Conv2D && w.Name == "kernel" && from.dim() == 4)
                {
                    var permuted = from.permute(3, 2, 0, 1).contiguous();
                    from.Dispose();
                    from = permuted;
                }
                else if (layer is Conv1D && w.Name == "kernel" && from.dim() == 3)
                {
                    var permuted = from.permute(2, 1, 0).contiguous(); // Keras (width, in, filters) -> torch (filters, in, width)
                    from.Dispose();
                    from = permuted;
                }
                plan.Add((to, from));
                if (!to.shape.SequenceEqual(from.shape))
                    throw new InvalidDataException($"'{source}': weight '{spec.Name}/{w.Name}' has Keras shape {w.ShapeText} but the layer built from the config needs "
                        + $"{KerasShapeText(layer, w.Name, to)}. The weights do not match the architecture.");
            }
            var missing = targets.Keys.Except(saved.Select(w => w.Name)).ToList();
            // Keras omits gamma (scale=False) and beta (center=False); ours keep them at 1 and 0, which is the same function.
            missing.RemoveAll(n => layer is BatchNormalization && n is "gamma" or "beta");
            if (missing.Count > 0)
                throw new InvalidDataException($"'{source}': layer '{spec.Name}' ({spec.ClassName}) lacks saved weight(s) {string.Join(", ", missing)}.");
            using (no_grad())
                foreach (var (to, from) in plan) to.copy_(from);
        }
        finally { foreach (var (_, from) in plan) from.Dispose(); }
    }

    static string KerasShapeText(Layer layer, string name, Tensor t)
    {
        var s = t.shape;
        if (layer is Conv2D && name == "kernel" && s.Length == 4) s = [s[2], s[3], s[1], s[0]];
        return "(" + string.Join(", ", s) + ")";
    }

    /// <summary>Layers that Keras gives variables to: only these have entries in a weights file.</summary>
    public static bool HasWeights(KerasLayerSpec spec) => KerasOrder(spec).Count > 0;

    /// <summary>The .keras weights-file group name for each layer: snake_case(class) plus a per-class counter, as Keras assigns them.</summary>
    public static IReadOnlyList<string> ZipGroupNames(IEnumerable<KerasLayerSpec> layers)
    {
        var used = new Dictionary<string, int>();
        var names = new List<string>();
        foreach (var spec in layers)
        {
            var key = KerasArchitectureReader.SnakeCase(spec.ClassName);
            if (used.TryGetValue(key, out int n)) { used[key] = n + 1; names.Add($"{key}_{n + 1}"); }
            else { used[key] = 0; names.Add(key); }
        }
        return names;
    }
}
