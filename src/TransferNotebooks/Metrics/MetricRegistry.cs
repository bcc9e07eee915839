using TransferNotebooks.Losses;

namespace TransferNotebooks.Metrics;

/// <summary>The metric registry: Keras names to metric objects. <c>accuracy</c> picks the flavour that fits the loss, as Keras does.</summary>
public static class MetricRegistry
{
    // Filled by each metric file's module initializer (its Keras name and aliases): one file per metric, no central list.
    static readonly Dictionary<string, Func<Metric>> Registry = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The built-in types register at the first use of any registry (see <see cref="PendingRegistrations"/>).</summary>
    static MetricRegistry() => PendingRegistrations.Run();

    /// <summary>Every registered name (plus <c>accuracy</c> and <c>acc</c>).</summary>
    public static IReadOnlyCollection<string> Names => [.. Registry.Keys, "accuracy", "acc"];

    /// <summary>A new metric by name; <c>accuracy</c>/<c>acc</c> resolve by <paramref name="loss"/> (sparse, categorical or binary).</summary>
    /// <exception cref="ArgumentException">Unknown name (lists valid names and the nearest).</exception>
    public static Metric Get(string name, Loss? loss = null) =>
        name is "accuracy" or "acc" ? Accuracy(loss?.Targets, name)
        : Registry.TryGetValue(name, out var make) ? make() : throw NameSuggestions.Unknown("metric", name, Names);

    /// <summary>Keras's rule for <c>accuracy</c>: the flavour that fits the loss's targets, named as asked.</summary>
    static Metric Accuracy(TargetKind? targets, string name) => targets switch
    {
        TargetKind.OneHot => new CategoricalAccuracy { Name = name },
        TargetKind.Binary => new BinaryAccuracy { Name = name },
        _ => new SparseCategoricalAccuracy { Name = name },
    };

    /// <summary>
    /// The registered metric name for a Keras class name (each metric's <see cref="Metric.KerasClassName"/>: <c>AUC</c> is <c>auc</c>),
    /// or null when no registered metric declares it.
    /// </summary>
    public static string? NameOfKerasClass(string className)
    {
        foreach (var make in Registry.Values)
        {
            using var m = make();
            if (m.KerasClassName.Equals(className, StringComparison.OrdinalIgnoreCase)) return m.Name;
        }
        return null;
    }

    /// <summary>Registers a custom metric under a name.</summary>
    public static void Register(string name, Func<Metric> factory) => Registry[name] = factory;
}
