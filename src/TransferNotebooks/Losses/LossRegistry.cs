namespace TransferNotebooks.Losses;

/// <summary>The loss registry: Keras names and aliases to loss objects.</summary>
public static class LossRegistry
{
    // Filled by each loss file's module initializer (its Keras name and aliases): one file per loss, no central list.
    static readonly Dictionary<string, Func<Loss>> Registry = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The built-in types register at the first use of any registry (see <see cref="PendingRegistrations"/>).</summary>
    static LossRegistry() => PendingRegistrations.Run();

    /// <summary>Every registered name.</summary>
    public static IReadOnlyCollection<string> Names => Registry.Keys;

    /// <summary>A new loss by Keras name.</summary>
    /// <exception cref="ArgumentException">Unknown name (lists valid names and the nearest).</exception>
    public static Loss Get(string name) =>
        Registry.TryGetValue(name, out var make) ? make() : throw NameSuggestions.Unknown("loss", name, Registry.Keys);

    /// <summary>
    /// A new loss by Keras class name (each loss's <see cref="Loss.KerasClassName"/>: <c>SparseCategoricalCrossentropy</c>), with a
    /// config's settings applied; a registered name is accepted too.
    /// </summary>
    /// <exception cref="ArgumentException">Unknown class (lists valid names and the nearest).</exception>
    public static Loss FromKerasClass(string className, LossConfig? config = null)
    {
        var loss = Registry.Values.Select(make => make()).FirstOrDefault(l => l.KerasClassName.Equals(className, StringComparison.OrdinalIgnoreCase))
            ?? Get(className);
        return config is null ? loss : loss.WithConfig(config);
    }

    /// <summary>Registers a custom loss under a name (for Compile by name and for loading saved models).</summary>
    public static void Register(string name, Func<Loss> factory) => Registry[name] = factory;
}
