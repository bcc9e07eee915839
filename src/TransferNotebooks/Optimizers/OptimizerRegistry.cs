using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;

namespace TransferNotebooks.Optimizers;

/// <summary>
/// The optimizer registry: Keras names to optimizers. Each optimizer registers itself with its config record, whose constructor
/// holds the defaults (Keras's), so a registry lookup, a JSON config and a constructor call all agree.
/// </summary>
public static class OptimizerRegistry
{
    sealed record Entry(JsonTypeInfo Json, Func<OptimizerConfig, Optimizer> Create, Func<OptimizerConfig> Defaults);

    // Filled by each optimizer file's module initializer (Register): one file per optimizer, no central list.
    static readonly Dictionary<string, Entry> Registry = new(StringComparer.OrdinalIgnoreCase);
    static readonly Dictionary<Type, JsonTypeInfo> JsonByType = [];

    /// <summary>The built-in types register at the first use of any registry (see <see cref="PendingRegistrations"/>).</summary>
    static OptimizerRegistry() => PendingRegistrations.Run();

    /// <summary>
    /// Registers an optimizer under its Keras name: its config record's JSON metadata (source-generated, so saving works without
    /// reflection), the record's defaults, and how to create the optimizer from a record. Built-in optimizers register themselves
    /// from their own files.
    /// </summary>
    public static void Register<TConfig>(string name, JsonTypeInfo<TConfig> json, Func<TConfig> defaults, Func<TConfig, Optimizer> create) where TConfig : OptimizerConfig
    {
        Registry[name] = new Entry(json, c => create((TConfig)c), () => defaults());
        JsonByType[typeof(TConfig)] = json;
    }

    /// <summary>The JSON metadata registered for a config record type.</summary>
    internal static JsonTypeInfo JsonOf(Type configType) => JsonByType.TryGetValue(configType, out var json) ? json
        : throw new NotSupportedException($"{configType.Name} is not a registered optimizer config: register it with OptimizerRegistry.Register.");

    /// <summary>Every registered name.</summary>
    public static IReadOnlyCollection<string> Names => Registry.Keys;

    /// <summary>A new optimizer by Keras name, with Keras's defaults.</summary>
    /// <exception cref="ArgumentException">Unknown name (lists valid names and the nearest).</exception>
    public static Optimizer Get(string name)
    {
        var entry = Find(name);
        return entry.Create(entry.Defaults());
    }

    /// <summary>
    /// A new optimizer by Keras name from a JSON config (Keras-named keys such as <c>learning_rate</c>); keys left out take the
    /// config record's defaults, keys the record does not have are ignored. Files from earlier versions stored booleans as
    /// numbers (<c>"nesterov": 1.0</c>); they are read as booleans (non-zero is true).
    /// </summary>
    /// <exception cref="ArgumentException">Unknown name (lists valid names and the nearest).</exception>
    public static Optimizer Get(string name, JsonObject? config)
    {
        var entry = Find(name);
        return entry.Create(config is null ? entry.Defaults() : ReadConfig(entry.Json, config));
    }

    /// <summary>
    /// A new optimizer by Keras class name (<c>Adam</c>, <c>SGD</c>, <c>RMSprop</c>: each optimizer's <see cref="Optimizer.KerasClassName"/>)
    /// from a Keras config; see <see cref="Get(string, JsonObject?)"/>.
    /// </summary>
    /// <exception cref="ArgumentException">Unknown class (lists valid names and the nearest).</exception>
    public static Optimizer FromKerasClass(string className, JsonObject? config)
    {
        foreach (var (name, entry) in Registry)
        {
            using var probe = entry.Create(entry.Defaults());
            if (probe.KerasClassName.Equals(className, StringComparison.OrdinalIgnoreCase)) return Get(name, config);
        }
        return Get(className, config);
    }

    /// <summary>The config record described by <paramref name="info"/> from JSON, old number-for-boolean values accepted.</summary>
    static OptimizerConfig ReadConfig(JsonTypeInfo info, JsonObject values)
    {
        var clean = new JsonObject();
        foreach (var property in info.Properties)
            if (values[property.Name] is JsonNode v && Typed(v, property) is { } typed) clean[property.Name] = typed;
        return (OptimizerConfig)(clean.Deserialize(info) ?? throw new InvalidDataException("The optimizer config is empty."));
    }

    /// <summary>A JSON value as the property's type: numbers for booleans read as non-zero, booleans for numbers as 1/0; null and other kinds are left out.</summary>
    static JsonNode? Typed(JsonNode value, JsonPropertyInfo property) => (value.GetValueKind(), property.PropertyType) switch
    {
        (JsonValueKind.Number, var t) when t == typeof(bool) => JsonValue.Create(value.GetValue<double>() != 0),
        (JsonValueKind.True or JsonValueKind.False, var t) when t == typeof(double) => JsonValue.Create(value.GetValue<bool>() ? 1.0 : 0.0),
        (JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False, _) => value.DeepClone(),
        _ => null,
    };

    static Entry Find(string name) =>
        Registry.TryGetValue(name, out var entry) ? entry : throw NameSuggestions.Unknown("optimizer", name, Registry.Keys);
}
