using System.Collections;
using TorchSharp.PyBridge;
using TransferNotebooks.Data;
using TransferNotebooks.Models;
using static TorchSharp.torch;

namespace TransferNotebooks.Interop.PyTorch;

/// <summary>
/// A model's weights as a PyTorch <c>state_dict</c> file (<c>torch.save</c>'s zip format, written and read through TorchSharp.PyBridge):
/// keys are our qualified weight names with dots, <c>layer/weight</c> as <c>layer.weight</c> and a nested model's
/// <c>model/layer.weight</c> as <c>model.layer.weight</c>; tensors in our layout, which the exported model.py shares.
/// </summary>
internal static class PyTorchStateDict
{
    /// <summary>The state_dict key of one of our weight names.</summary>
    public static string KeyOf(string weightName) => weightName.Replace('/', '.');

    /// <summary>Writes <paramref name="weights"/> (our names) as a state_dict file, atomically.</summary>
    public static void Save(IReadOnlyDictionary<string, Tensor> weights, string path)
    {
        using var scope = NewDisposeScope();
        var stateDict = new Dictionary<string, Tensor>();
        foreach (var (name, value) in weights) stateDict[KeyOf(name)] = value.detach().cpu().contiguous();
        AtomicFile.Write(path, stream => PyTorchPickler.PickleStateDict(stream, stateDict, leaveOpen: true));
    }

    /// <summary>
    /// Copies a state_dict file into <paramref name="target"/> (a model's named weights). Keys must match and shapes always must;
    /// with <paramref name="strict"/> false, missing keys keep their values and unexpected ones are skipped. Nothing changes on error.
    /// </summary>
    public static LoadWeightsReport Load(IReadOnlyDictionary<string, Tensor> target, string path, bool strict)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"No PyTorch state_dict file at '{path}'. Save one in Python with torch.save(model.state_dict(), path).", path);
        var file = Read(path);
        try
        {
            var ours = target.ToDictionary(kv => KeyOf(kv.Key), kv => (Name: kv.Key, Tensor: kv.Value));
            var missing = ours.Keys.Where(k => !file.ContainsKey(k)).Order(StringComparer.Ordinal).ToList();
            var unexpected = file.Keys.Where(k => !ours.ContainsKey(k)).Order(StringComparer.Ordinal).ToList();
            var misShaped = file.Where(kv => ours.TryGetValue(kv.Key, out var o) && !o.Tensor.shape.SequenceEqual(kv.Value.shape))
                .OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}: file [{string.Join(", ", kv.Value.shape)}] vs model [{string.Join(", ", ours[kv.Key].Tensor.shape)}]").ToList();
            if (misShaped.Count > 0 || (strict && (missing.Count > 0 || unexpected.Count > 0)))
                throw new InvalidDataException(Problems(path, missing, unexpected, misShaped, strict));
            var loaded = new List<string>();
            using (no_grad())
                foreach (var (key, value) in file)
                    if (ours.TryGetValue(key, out var o))
                    {
                        o.Tensor.copy_(value);
                        loaded.Add(o.Name);
                    }
            return new LoadWeightsReport(loaded, unexpected.Select(k => $"{k} (not in the model)").ToList(), missing.Select(k => ours[k].Name).ToList());
        }
        finally
        {
            foreach (var t in file.Values) t.Dispose();
        }
    }

    static Dictionary<string, Tensor> Read(string path)
    {
        Hashtable table;
        try
        {
            using var stream = File.OpenRead(path);
            table = PyTorchUnpickler.UnpickleStateDict(stream);
        }
        catch (Exception e) when (e is not IOException or FileNotFoundException)
        {
            throw new InvalidDataException($"'{path}' is not a PyTorch state_dict file ({e.GetType().Name}: {e.Message}). "
                + "Save the weights in Python with torch.save(model.state_dict(), path) (a dict of tensors, not a whole pickled model).", e);
        }
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in table)
            if (entry.Key is string key && entry.Value is Tensor tensor) result[key] = tensor;
            else throw new InvalidDataException($"'{path}' holds '{entry.Key}' of type {entry.Value?.GetType().Name ?? "null"}, not a tensor: save model.state_dict() alone, not a checkpoint dict.");
        return result;
    }

    static string Problems(string path, List<string> missing, List<string> unexpected, List<string> misShaped, bool strict)
    {
        var parts = new List<string>();
        if (misShaped.Count > 0) parts.Add($"mis-shaped keys ({misShaped.Count}): {string.Join("; ", misShaped)}");
        if (strict && missing.Count > 0) parts.Add($"missing keys ({missing.Count}): {string.Join(", ", missing)}");
        if (strict && unexpected.Count > 0) parts.Add($"unexpected keys ({unexpected.Count}): {string.Join(", ", unexpected)}");
        var fix = unexpected.Count > 0 && unexpected.All(k => k.StartsWith("module.", StringComparison.Ordinal))
            ? "The keys start with 'module.': the file was saved from a DistributedDataParallel wrapper; save model.module.state_dict() instead."
            : misShaped.Count > 0
                ? "The file is for another architecture: export this model with SavePyTorch and train that model.py in PyTorch, or rebuild the model with the file's shapes."
                : "Save the state_dict of the model.py that SavePyTorch wrote for this model, or pass strict: false to load the matching keys only.";
        return $"'{path}' does not fit the model: {string.Join("; ", parts)}. {fix}";
    }
}
