using System.Text.Json;
using System.Text.Json.Nodes;
using TransferNotebooks.Losses;
using TransferNotebooks.Metrics;
using TransferNotebooks.Optimizers;

namespace TransferNotebooks.Models.KerasImport;

/// <summary>
/// Turns a Keras compile configuration into <c>Compile</c>: Keras 3's
/// <c>compile_config</c> (.keras) or the legacy <c>training_config</c> (.h5). What cannot be expressed is skipped with a note; a failure
/// here never fails the load (the model is then returned uncompiled).
/// </summary>
internal static class KerasCompileConfig
{
    /// <summary>Compiles the model from a config; returns false (with notes) when it could not.</summary>
    public static bool Apply(KerasModel model, JsonObject config, bool legacy, List<string> notes)
    {
        var optNode = legacy ? config["optimizer_config"] : config["optimizer"];
        var lossNode = config["loss"];
        if (optNode is null || lossNode is null || lossNode.GetValueKind() == JsonValueKind.Null)
        {
            if (optNode is not null || lossNode is not null) notes.Add("compile configuration incomplete (no optimizer or loss); the model is not compiled");
            return false;
        }
        Optimizer optimizer;
        Loss loss;
        try { optimizer = ReadOptimizer(optNode, notes); }
        catch (ArgumentException e)
        {
            notes.Add($"optimizer not recreated ({e.Message.Split('.')[0]}); the model is not compiled: call Compile yourself");
            return false;
        }
        try { loss = ReadLoss(lossNode); }
        catch (Exception e) when (e is ArgumentException or NotSupportedException)
        {
            optimizer.Dispose();
            notes.Add($"loss not recreated ({e.Message.Split('.')[0]}); the model is not compiled: call Compile yourself");
            return false;
        }
        var metrics = new List<string>();
        foreach (var m in Flatten(config["metrics"]))
        {
            var name = MetricName(m);
            if (name is null) { notes.Add($"metric {m?.ToJsonString()} skipped"); continue; }
            try { MetricRegistry.Get(name, loss); metrics.Add(name); }
            catch (ArgumentException) { notes.Add($"metric '{name}' is not available here and was skipped"); }
        }
        if (config["weighted_metrics"] is JsonArray { Count: > 0 }) notes.Add("weighted_metrics ignored");
        if (config["loss_weights"] is JsonNode lw && lw.GetValueKind() != JsonValueKind.Null) notes.Add("loss_weights ignored");
        model.Compile(optimizer, loss, metrics);
        return true;
    }

    static Optimizer ReadOptimizer(JsonNode node, List<string> notes)
    {
        if (node.GetValueKind() == JsonValueKind.String) return OptimizerRegistry.Get(node.GetValue<string>());
        if (node is not JsonObject o) throw new ArgumentException("the optimizer config is not understood.");
        var cls = KerasArchitectureReader.Str(o, "class_name") ?? throw new ArgumentException("the optimizer config has no class_name.");
        var values = new JsonObject();
        if (o["config"] is JsonObject c)
            foreach (var (key, value) in c)
            {
                string k = key == "lr" ? "learning_rate" : key;
                switch (value?.GetValueKind())
                {
                    case JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False: values[k] = value.DeepClone(); break;
                    case JsonValueKind.Object when k == "learning_rate":
                        notes.Add($"learning-rate schedule {KerasArchitectureReader.Str((JsonObject)value, "class_name")} replaced by the optimizer's default learning rate");
                        break;
                }
            }
        var optimizer = OptimizerRegistry.FromKerasClass(cls, values);
        var known = optimizer.GetConfig().ToJson();
        foreach (var k in new[] { "clipnorm", "clipvalue", "global_clipnorm", "weight_decay" })
            if (values.ContainsKey(k) && !known.ContainsKey(k))
                notes.Add($"optimizer option {k} ignored");
        if (values["use_ema"] is JsonNode ema && (ema.GetValueKind() == JsonValueKind.True || ema.GetValueKind() == JsonValueKind.Number && ema.GetValue<double>() != 0))
            notes.Add("optimizer EMA (use_ema) ignored");
        return optimizer;
    }

    static Loss ReadLoss(JsonNode node)
    {
        switch (node)
        {
            case JsonValue v when v.GetValueKind() == JsonValueKind.String:
                return LossRegistry.Get(v.GetValue<string>());
            case JsonObject o:
                var cls = KerasArchitectureReader.Str(o, "class_name") ?? throw new NotSupportedException("the loss config has no class_name.");
                // Keras 2 may save a loss function as {"class_name": "function", "config": "sparse_categorical_crossentropy"}.
                if (o["config"] is JsonValue cv && cv.GetValueKind() == JsonValueKind.String) return LossRegistry.Get(cv.GetValue<string>());
                return LossRegistry.FromKerasClass(cls, LossConfig.FromJson(o["config"]));
            default:
                throw new NotSupportedException("several losses (a multi-output model) are not supported.");
        }
    }

    /// <summary>
    /// The model's compile settings as Keras 3's <c>compile_config</c>: the optimizer under its <see cref="Optimizer.KerasClassName"/>
    /// with its config record's keys (less this library's own), the loss by name, or as a class with its config when it takes logits.
    /// </summary>
    public static JsonObject ToKerasJson(KerasModel model)
    {
        var config = model.Optimizer.GetConfig();
        var ours = config.LibraryOnlyKeys();
        var opt = new JsonObject { ["name"] = model.Optimizer.Name.ToLowerInvariant() };
        foreach (var (k, v) in config.ToJson())
            if (!ours.Contains(k)) opt[k] = v?.DeepClone(); // ours only: Keras's optimizers would reject the argument
        return new JsonObject
        {
            ["optimizer"] = new JsonObject
            {
                ["module"] = "keras.optimizers", ["class_name"] = model.Optimizer.KerasClassName, ["config"] = opt, ["registered_name"] = null,
            },
            ["loss"] = model.Loss.FromLogits ? LossJson(model.Loss) : model.Loss.Name,
            ["loss_weights"] = null,
            ["metrics"] = new JsonArray(model.MetricNames.Select(m => (JsonNode)m).ToArray()),
            ["weighted_metrics"] = null, ["run_eagerly"] = false, ["steps_per_execution"] = 1, ["jit_compile"] = false,
        };
    }

    static JsonObject LossJson(Loss loss)
    {
        var config = new JsonObject { ["name"] = loss.Name, ["reduction"] = "sum_over_batch_size" };
        foreach (var (k, v) in loss.GetConfig().ToJson()) config[k] = v?.DeepClone();
        return new JsonObject { ["module"] = "keras.losses", ["class_name"] = loss.KerasClassName, ["config"] = config, ["registered_name"] = null };
    }

    static IEnumerable<JsonNode?> Flatten(JsonNode? node) => node switch
    {
        JsonArray a => a.SelectMany(Flatten),
        null => [],
        _ when node.GetValueKind() == JsonValueKind.Null => [],
        _ => [node],
    };

    static string? MetricName(JsonNode? m) => m switch
    {
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        JsonObject o => o["config"]?["name"] is JsonValue n && n.GetValueKind() == JsonValueKind.String ? n.GetValue<string>()
            : KerasArchitectureReader.Str(o, "class_name") is { } c ? MetricRegistry.NameOfKerasClass(c) ?? KerasArchitectureReader.SnakeCase(c) : null,
        _ => null,
    };
}
