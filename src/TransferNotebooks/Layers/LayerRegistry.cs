using System.Text.Json;

namespace TransferNotebooks.Layers;

/// <summary>
/// The layer registry: type names (and Keras's aliases) to <see cref="LayerType"/>s. Each layer file registers its own type from a
/// module initializer, so adding a layer edits no list here. Loading a model only ever creates layers through this table (never a
/// type named in a file), so a model file cannot run code.
/// </summary>
public static class LayerRegistry
{
    static readonly Dictionary<string, LayerType> Types = new(StringComparer.Ordinal);
    static readonly Dictionary<string, LayerType> Aliases = new(StringComparer.Ordinal);
    static readonly Lock Gate = new();

    /// <summary>The built-in types register at the first use of any registry (see <see cref="PendingRegistrations"/>).</summary>
    static LayerRegistry() => PendingRegistrations.Run();

    /// <summary>Every registered type name (aliases not included).</summary>
    public static IReadOnlyCollection<string> Names { get { lock (Gate) return Types.Keys.Order().ToList(); } }

    /// <summary>True when the name (or a Keras alias) is registered.</summary>
    public static bool Contains(string typeName) => Find(typeName) is not null;

    /// <summary>The type registered under <paramref name="typeName"/> or one of its Keras aliases; null when unknown.</summary>
    public static LayerType? Find(string typeName)
    {
        lock (Gate) return Types.GetValueOrDefault(typeName) ?? Aliases.GetValueOrDefault(typeName);
    }

    /// <summary>Builds a layer of a registered type from its saved config.</summary>
    /// <exception cref="ArgumentException">Unknown type: the message lists the supported ones.</exception>
    public static Layer Create(string typeName, JsonElement config, string? name, int[]? inputShape) =>
        (Find(typeName) ?? throw new ArgumentException($"Unknown layer type '{typeName}' (layer '{name}'). For safety, only registered types are loaded: "
            + $"{string.Join(", ", Names)}. A custom layer must be registered with LayerRegistry.Register before loading."))
        .Create(config, name, inputShape);

    /// <summary>Registers a layer type (a custom layer calls this once before loading models that hold it).</summary>
    /// <exception cref="ArgumentException">The name or an alias is taken by another type.</exception>
    public static void Register(LayerType type)
    {
        ArgumentNullException.ThrowIfNull(type);
        lock (Gate)
        {
            foreach (var alias in type.KerasAliases)
                if (Types.ContainsKey(alias) || (Aliases.TryGetValue(alias, out var other) && other.Name != type.Name))
                    throw new ArgumentException($"Keras alias '{alias}' of layer type '{type.Name}' is already registered.");
            Types[type.Name] = type;
            foreach (var alias in type.KerasAliases) Aliases[alias] = type;
        }
    }
}
