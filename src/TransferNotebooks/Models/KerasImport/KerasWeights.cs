using System.Text.Json;
using System.Text.Json.Nodes;
using TransferNotebooks.Layers;
using static TorchSharp.torch;

namespace TransferNotebooks.Models.KerasImport;

/// <summary>Copies weights read from a Keras file into our layers, converting layouts as each layer declares (<see cref="Layer.KerasAxisOrder"/>).</summary>
internal static class KerasWeights
{
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
        var expected = layer.KerasWeightNames;
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
                if (layer.KerasAxisOrder(w.Name) is { } order && from.dim() == order.Length)
                {
                    var permuted = from.permute(Inverse(order)).contiguous(); // Keras layout -> ours
                    from.Dispose();
                    from = permuted;
                }
                plan.Add((to, from));
                if (!to.shape.SequenceEqual(from.shape))
                    throw new InvalidDataException($"'{source}': weight '{spec.Name}/{w.Name}' has Keras shape {w.ShapeText} but the layer built from the config needs "
                        + $"{KerasShapeText(layer, w.Name, to)}. The weights do not match the architecture.");
            }
            var missing = targets.Keys.Except(saved.Select(w => w.Name)).ToList();
            // A layer may hold weights Keras does not save (BatchNormalization's gamma with scale=False): they keep their neutral values.
            missing.RemoveAll(n => !expected.Contains(n));
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
        if (layer.KerasAxisOrder(name) is { } order && order.Length == s.Length) s = order.Select(i => s[i]).ToArray();
        return "(" + string.Join(", ", s) + ")";
    }

    /// <summary>The inverse of a permutation: Keras's axis order back to ours.</summary>
    public static long[] Inverse(int[] order)
    {
        var inverse = new long[order.Length];
        for (int i = 0; i < order.Length; i++) inverse[order[i]] = i;
        return inverse;
    }

    /// <summary>The .keras weights-file group name for each layer: snake_case(class) plus a per-class counter, as Keras assigns them.</summary>
    public static IReadOnlyList<string> ZipGroupNames(IEnumerable<KerasLayerSpec> layers) => ZipGroupNames(layers.Select(l => l.ClassName));

    /// <summary>The .keras weights-file group names for layers of these classes, in order (<c>dense</c>, <c>dense_1</c>, <c>conv2d</c>, ...).</summary>
    public static IReadOnlyList<string> ZipGroupNames(IEnumerable<string> classNames)
    {
        var used = new Dictionary<string, int>();
        var names = new List<string>();
        foreach (var cls in classNames)
        {
            var key = KerasArchitectureReader.SnakeCase(cls);
            if (used.TryGetValue(key, out int n)) { used[key] = n + 1; names.Add($"{key}_{n + 1}"); }
            else { used[key] = 0; names.Add(key); }
        }
        return names;
    }
}
