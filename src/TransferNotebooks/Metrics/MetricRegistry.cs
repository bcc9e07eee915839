using TransferNotebooks.Losses;

namespace TransferNotebooks.Metrics;

/// <summary>The metric registry: Keras names to metric objects. <c>accuracy</c> picks the flavour that fits the loss, as Keras does.</summary>
public static class MetricRegistry
{
    static readonly Dictionary<string, Func<Metric>> Registry = new(StringComparer.OrdinalIgnoreCase)
    {
        ["sparse_categorical_accuracy"] = () => new SparseCategoricalAccuracy(),
        ["categorical_accuracy"] = () => new CategoricalAccuracy(),
        ["binary_accuracy"] = () => new BinaryAccuracy(),
        ["sparse_top_k_categorical_accuracy"] = () => new SparseTopKCategoricalAccuracy(),
        ["top_k_accuracy"] = () => new SparseTopKCategoricalAccuracy(),
        ["precision"] = () => new Precision(),
        ["recall"] = () => new Recall(),
        ["auc"] = () => new Auc(),
    };

    /// <summary>Every registered name (plus <c>accuracy</c> and <c>acc</c>).</summary>
    public static IReadOnlyCollection<string> Names => [.. Registry.Keys, "accuracy", "acc"];

    /// <summary>A new metric by name; <c>accuracy</c>/<c>acc</c> resolve by <paramref name="loss"/> (sparse, categorical or binary).</summary>
    /// <exception cref="ArgumentException">Unknown name (lists valid names and the nearest).</exception>
    public static Metric Get(string name, Loss? loss = null)
    {
        if (name is "accuracy" or "acc")
        {
            Metric m = loss?.Targets switch
            {
                TargetKind.OneHot => new CategoricalAccuracy(),
                TargetKind.Binary => new BinaryAccuracy(),
                _ => new SparseCategoricalAccuracy(),
            };
            return Rename(m, name);
        }
        return Registry.TryGetValue(name, out var make) ? make() : throw NameSuggestions.Unknown("metric", name, Names);
    }

    static Metric Rename(Metric m, string name) => m switch
    {
        SparseCategoricalAccuracy s => new SparseCategoricalAccuracy { Name = name },
        CategoricalAccuracy c => new CategoricalAccuracy { Name = name },
        BinaryAccuracy b => new BinaryAccuracy(b.Threshold) { Name = name },
        _ => m,
    };

    /// <summary>Registers a custom metric under a name.</summary>
    public static void Register(string name, Func<Metric> factory) => Registry[name] = factory;
}
