using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Nodes;
using TransferNotebooks.Data;
using TransferNotebooks.Layers;
using TransferNotebooks.Losses;
using TransferNotebooks.Optimizers;
using static TorchSharp.torch;

namespace TransferNotebooks.Models;

/// <summary>
/// Our model file: a zip holding <c>metadata.json</c> (format and version), <c>config.json</c> (layer types and configs, trainable
/// flags, compile settings) and <c>model.safetensors</c> (weights), optionally <c>optimizer.safetensors</c>. Written to a temporary
/// file then renamed, so a crash never leaves a half-written model and never damages the previous file. Files end in
/// <c>.tnmodel</c> by convention (<see cref="Model.Extension"/>); the public entry points are <see cref="Sequential.Save"/> and <see cref="Model.Load"/>.
/// </summary>
internal static partial class ModelFile
{
    /// <summary>The format identifier in metadata.json.</summary>
    public const string Format = "transfernotebooks.model";
    /// <summary>The optimizer's step count in optimizer.safetensors (the slots are named <c>layer/weight/slotN</c>).</summary>
    const string IterationsKey = "optimizer/iterations";
    /// <summary>The newest format version this library reads and the one it writes.</summary>
    public const int Version = 1;

    /// <summary>Saves a model (see the class remarks).</summary>
    public static void Save(KerasModel model, string path, bool includeOptimizer = false)
    {
        var config = model switch
        {
            Sequential { Built: false } => throw new InvalidOperationException("The model is not built yet (no weights): give the first layer an inputShape or train it before saving."),
            Sequential s => Config(s),
            Functional f => Config(f),
            _ => throw new NotSupportedException($"A {model.GetType().Name} cannot be saved in this format."),
        };
        AtomicFile.Write(path, stream =>
        {
            using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
            WriteJson(zip, "metadata.json", Metadata());
            WriteJson(zip, "config.json", config);
            using (var w = zip.CreateEntry("model.safetensors", CompressionLevel.Fastest).Open()) SafeTensors.Write(w, model.NamedWeights());
            if (includeOptimizer && model.IsCompiled)
            {
                // The step count too: Adam's bias correction depends on it, so resuming without it takes different steps.
                using var iterations = tensor(new[] { model.Optimizer.Iterations });
                var state = new Dictionary<string, Tensor> { [IterationsKey] = iterations };
                foreach (var (name, weight) in model.NamedWeights())
                    if (model.Optimizer.SlotsOf(weight) is { } slots)
                        for (int i = 0; i < slots.Count; i++) state[$"{name}/slot{i}"] = slots[i];
                using var w = zip.CreateEntry("optimizer.safetensors", CompressionLevel.Fastest).Open();
                SafeTensors.Write(w, state);
            }
        });
    }

    static JsonObject Config(Sequential model)
    {
        var layers = new JsonArray();
        foreach (var l in model.Layers)
            layers.Add((JsonNode)new JsonObject
            {
                ["type"] = l.TypeName, ["name"] = l.Name, ["trainable"] = l.Trainable,
                ["input_shape"] = l.InputShape is null ? null : new JsonArray(l.InputShape.Select(d => (JsonNode)d).ToArray()),
                ["learning_rate_multiplier"] = l.LearningRateMultiplier,
                ["config"] = l.GetConfig(),
            });
        var root = new JsonObject { ["name"] = model.Name, ["frozen_batch_norm"] = model.FrozenBatchNorm.ToString(), ["layers"] = layers };
        if (model.IsCompiled) root["compile"] = CompileJson(model.Optimizer, model.Loss, model.MetricNames);
        return root;
    }

    /// <summary>The compile settings as saved: optimizer name and config, loss name and config, metric names.</summary>
    static JsonObject CompileJson(Optimizer optimizer, Loss loss, IEnumerable<string> metrics) => new()
    {
        ["optimizer"] = new JsonObject { ["name"] = optimizer.Name, ["config"] = optimizer.GetConfig().ToJson() },
        ["loss"] = Named(loss.Name, loss.GetConfig().ToJson()),
        ["metrics"] = new JsonArray(metrics.Select(m => (JsonNode)m).ToArray()),
    };

    static JsonObject Named(string name, JsonObject config)
    {
        config.Insert(0, "name", name);
        return config;
    }

    /// <summary>The metadata.json of a file written now.</summary>
    static JsonObject Metadata() => new() { ["format"] = Format, ["format_version"] = Version, ["library_version"] = typeof(ModelFile).Assembly.GetName().Version?.ToString(), ["saved_utc"] = DateTime.UtcNow.ToString("O") };

    static void WriteJson(ZipArchive zip, string name, JsonNode node)
    {
        using var w = zip.CreateEntry(name, CompressionLevel.Fastest).Open();
        LibraryJson.WriteIndented(w, node);
    }

    /// <summary>Loads a model saved by <see cref="Save(KerasModel, string, bool)"/> (Sequential or functional): architecture from the layer registry, weights, trainable flags, compile settings (when <paramref name="compile"/>) and optimizer state when saved.</summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="InvalidDataException">Not a model file, truncated, or from a newer version; the message says which and what to do.</exception>
    public static KerasModel Load(string path, bool compile = true)
    {
        var (zip, config) = Open(path);
        using (zip)
        {
            KerasModel model = config["class_name"]?.GetValue<string>() == FunctionalClass ? FunctionalFromConfig(config, path) : FromConfig(config);
            Dictionary<string, Tensor> weights;
            try { using var s = Entry(zip, "model.safetensors", path).Open(); weights = SafeTensors.Read(s, path); }
            catch (InvalidDataException e) when (e.InnerException is not JsonException) { throw new InvalidDataException($"'{path}' is truncated or corrupt: {e.Message}", e); }
            try
            {
                WeightsIO.Assign(model.NamedWeights(), weights, strict: true, skipMismatch: false, source: path);
            }
            finally { foreach (var t in weights.Values) t.Dispose(); }
            if (compile && config["compile"] is JsonObject settings) Compile(model, settings);
            if (model.IsCompiled && zip.GetEntry("optimizer.safetensors") is { } optEntry)
            {
                using var s = optEntry.Open();
                var state = SafeTensors.Read(s, path);
                if (state.GetValueOrDefault(IterationsKey) is { } it) model.Optimizer.Iterations = it.to_type(ScalarType.Int64).item<long>();
                foreach (var (name, weight) in model.NamedWeights())
                {
                    var slots = Enumerable.Range(0, 8).Select(i => state.GetValueOrDefault($"{name}/slot{i}")).TakeWhile(t => t is not null).ToArray();
                    if (slots.Length > 0) model.Optimizer.RestoreSlots(weight, slots!);
                }
            }
            return model;
        }
    }

    /// <summary>Opens a model file: the zip and its config.json, after checking metadata.json's format and version (the caller disposes the zip).</summary>
    static (ZipArchive Zip, JsonNode Config) Open(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"No model file at '{path}'.", path);
        ZipArchive zip;
        try { zip = ZipFile.OpenRead(path); }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"'{path}' is a TransferNotebooks model file that is truncated or damaged (it cannot be read as a zip archive). "
                + "Save it again with model.Save(path).", e);
        }
        try
        {
            var meta = ReadJson(zip, "metadata.json", path);
            if (meta["format"]?.GetValue<string>() != Format)
                throw new InvalidDataException($"'{path}' is a zip archive but not a TransferNotebooks model (format '{meta["format"]}').");
            int version = meta["format_version"]?.GetValue<int>() ?? 0;
            if (version > Version)
                throw new InvalidDataException($"'{path}' uses model format version {version}, newer than this library reads ({Version}). Update the TransferNotebooks package.");
            return (zip, ReadJson(zip, "config.json", path));
        }
        catch
        {
            zip.Dispose();
            throw;
        }
    }

    static Sequential FromConfig(JsonNode config)
    {
        var model = new Sequential([], config["name"]?.GetValue<string>() ?? "sequential");
        if (Enum.TryParse<FrozenBatchNorm>(config["frozen_batch_norm"]?.GetValue<string>(), out var fbn)) model.FrozenBatchNorm = fbn;
        foreach (var node in config["layers"]?.AsArray() ?? throw new InvalidDataException("config.json has no layers."))
        {
            var type = node!["type"]!.GetValue<string>();
            var name = node["name"]?.GetValue<string>();
            var input = node["input_shape"] is JsonArray a ? a.Select(d => d!.GetValue<int>()).ToArray() : null;
            var values = LibraryJson.Element(node["config"]);
            var layer = LayerRegistry.Create(type, values, name, model.Layers.Count == 0 ? input : null);
            model.Add(layer);
            if (!layer.Built && input is not null) layer.Build(input);
            layer.LearningRateMultiplier = node["learning_rate_multiplier"]?.GetValue<double>() ?? 1.0;
            if (node["trainable"]?.GetValue<bool>() == false) layer.Trainable = false;
        }
        return model;
    }

    static void Compile(KerasModel model, JsonObject compile)
    {
        var (optimizer, loss, metrics) = ReadCompile(compile);
        model.Compile(optimizer, loss, metrics);
    }

    /// <summary>The optimizer, loss and metric names of saved compile settings.</summary>
    static (Optimizer Optimizer, Loss Loss, List<string> Metrics) ReadCompile(JsonObject compile)
    {
        var opt = compile["optimizer"]!;
        // Version 1 files before typed configs stored every setting as a number (booleans as 0/1); the registry reads both.
        var optimizer = OptimizerRegistry.Get(opt["name"]!.GetValue<string>(), opt["config"] as JsonObject);
        var lossNode = compile["loss"]!;
        var loss = LossRegistry.Get(lossNode["name"]!.GetValue<string>()).WithConfig(LossConfig.FromJson(lossNode));
        var metrics = compile["metrics"]?.AsArray().Select(m => m!.GetValue<string>()).ToList() ?? [];
        return (optimizer, loss, metrics);
    }

    static ZipArchiveEntry Entry(ZipArchive zip, string name, string path) =>
        zip.GetEntry(name) ?? throw new InvalidDataException($"'{path}' lacks '{name}': it is not a complete TransferNotebooks model file.");

    static JsonNode ReadJson(ZipArchive zip, string name, string path)
    {
        try
        {
            using var s = Entry(zip, name, path).Open();
            return JsonNode.Parse(s) ?? throw new InvalidDataException($"'{path}': {name} is empty.");
        }
        catch (JsonException e) { throw new InvalidDataException($"'{path}': {name} is corrupt ({e.Message}).", e); }
    }
}
