namespace TransferNotebooks.Losses;

/// <summary>The loss registry: Keras names and aliases to loss objects.</summary>
public static class LossRegistry
{
    static readonly Dictionary<string, Func<Loss>> Registry = new(StringComparer.OrdinalIgnoreCase)
    {
        ["sparse_categorical_crossentropy"] = () => new SparseCategoricalCrossentropy(),
        ["categorical_crossentropy"] = () => new CategoricalCrossentropy(),
        ["binary_crossentropy"] = () => new BinaryCrossentropy(),
        ["mean_squared_error"] = () => new MeanSquaredError(),
        ["mse"] = () => new MeanSquaredError(),
        ["mean_absolute_error"] = () => new MeanAbsoluteError(),
        ["mae"] = () => new MeanAbsoluteError(),
    };

    /// <summary>Every registered name.</summary>
    public static IReadOnlyCollection<string> Names => Registry.Keys;

    /// <summary>A new loss by Keras name.</summary>
    /// <exception cref="ArgumentException">Unknown name (lists valid names and the nearest).</exception>
    public static Loss Get(string name) =>
        Registry.TryGetValue(name, out var make) ? make() : throw NameSuggestions.Unknown("loss", name, Registry.Keys);

    /// <summary>Registers a custom loss under a name (for Compile by name and for loading saved models).</summary>
    public static void Register(string name, Func<Loss> factory) => Registry[name] = factory;
}
