using static TorchSharp.torch;

namespace TransferNotebooks.Models;

/// <summary>What <see cref="KerasModel.LoadWeights"/> did.</summary>
/// <param name="Loaded">Weights copied into the model.</param>
/// <param name="Skipped">Weights in the file not used, with the reason (shape mismatch, not in the model).</param>
/// <param name="Missing">Model weights the file did not have (kept as they were).</param>
public sealed record LoadWeightsReport(IReadOnlyList<string> Loaded, IReadOnlyList<string> Skipped, IReadOnlyList<string> Missing)
{
    /// <inheritdoc />
    public override string ToString() =>
        $"loaded {Loaded.Count} weights" + (Skipped.Count > 0 ? $"; skipped: {string.Join("; ", Skipped)}" : "") + (Missing.Count > 0 ? $"; missing from file: {string.Join(", ", Missing)}" : "");
}

/// <summary>Copies named weights (<c>layer/weight</c>) into a model, strictly or leniently.</summary>
public static class WeightsIO
{
    /// <summary>Saves every weight of <paramref name="model"/> as one safetensors file, atomically.</summary>
    public static void Save(KerasModel model, string path) =>
        Data.AtomicFile.Write(path, s => SafeTensors.Write(s, model.NamedWeights()));

    /// <summary>
    /// Copies weights into the model. With <paramref name="strict"/>, every model weight must be in the file and every file weight
    /// in the model; with <paramref name="skipMismatch"/>, weights whose shapes differ are skipped (listed) instead of failing.
    /// Nothing is changed when an error is thrown.
    /// </summary>
    public static LoadWeightsReport Assign(KerasModel model, IReadOnlyDictionary<string, Tensor> weights, bool strict, bool skipMismatch, string source = "weights") =>
        Assign(model.NamedWeights(), weights, strict, skipMismatch, source);

    /// <summary>Copies weights into the tensors of <paramref name="target"/> (a model's named weights), as the model overload.</summary>
    internal static LoadWeightsReport Assign(IReadOnlyDictionary<string, Tensor> target, IReadOnlyDictionary<string, Tensor> weights, bool strict, bool skipMismatch, string source = "weights")
    {
        var loaded = new List<string>();
        var skipped = new List<string>();
        var plan = new List<(Tensor To, Tensor From)>();
        foreach (var (name, value) in weights)
        {
            if (!target.TryGetValue(name, out var to))
            {
                if (strict) throw new InvalidDataException($"'{source}' has weight '{name}' that the model lacks. Model weights: {string.Join(", ", target.Keys)}. Use strict: false to ignore extra weights.");
                skipped.Add($"{name} (not in the model)");
                continue;
            }
            if (!to.shape.SequenceEqual(value.shape))
            {
                string msg = $"{name}: file [{string.Join(", ", value.shape)}] vs model [{string.Join(", ", to.shape)}]";
                if (!skipMismatch) throw new InvalidDataException($"'{source}': shape mismatch for {msg}. Is this the right weights file for this architecture? Use skipMismatch: true to skip such weights (for a new head).");
                skipped.Add(msg);
                continue;
            }
            plan.Add((to, value));
            loaded.Add(name);
        }
        var missing = target.Keys.Where(k => !weights.ContainsKey(k)).ToList();
        if (strict && missing.Count > 0)
            throw new InvalidDataException($"'{source}' lacks weights the model needs: {string.Join(", ", missing)}. Use strict: false to keep those as initialised.");
        using (no_grad())
            foreach (var (to, from) in plan) to.copy_(from);
        return new LoadWeightsReport(loaded, skipped, missing);
    }
}
