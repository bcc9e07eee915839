
namespace TransferNotebooks.Models;

public sealed partial class Sequential
{
    /// <summary>Saves architecture, weights, trainable flags and compile settings in one file (atomically); see <see cref="ModelFile"/>.</summary>
    public void Save(string path) => ModelFile.Save(this, path);

    /// <summary>Saves the model, optionally with the optimizer's state (to resume training exactly).</summary>
    public void Save(string path, bool includeOptimizer) => ModelFile.Save(this, path, includeOptimizer);

    /// <summary>Saves only the weights, as a safetensors file (atomically).</summary>
    public void SaveWeights(string path) => WeightsIO.Save(this, path);

    /// <summary>Loads weights saved by <see cref="SaveWeights"/> (or any safetensors file named <c>layer/weight</c>).</summary>
    /// <param name="path">The safetensors file.</param>
    /// <param name="strict">Require the file and the model to have exactly the same weights.</param>
    /// <param name="skipMismatch">Skip weights whose shapes differ (listed in the report) instead of failing.</param>
    public LoadWeightsReport LoadWeights(string path, bool strict = true, bool skipMismatch = false)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"No weights file at '{path}'.", path);
        Dictionary<string, TorchSharp.torch.Tensor> weights;
        using (var s = File.OpenRead(path)) weights = SafeTensors.Read(s, path);
        try { return WeightsIO.Assign(this, weights, strict, skipMismatch, path); }
        finally { foreach (var t in weights.Values) t.Dispose(); }
    }

    /// <summary>Loads a model saved with <see cref="Save(string)"/>.</summary>
    public static Sequential Load(string path) => Model.Load(path);
}
