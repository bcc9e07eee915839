namespace TransferNotebooks.Optimizers;

/// <summary>The optimizer registry: Keras names to optimizers with Keras's default hyper-parameters.</summary>
public static class OptimizerRegistry
{
    static readonly Dictionary<string, Func<IReadOnlyDictionary<string, double>?, Optimizer>> Registry = new(StringComparer.OrdinalIgnoreCase)
    {
        ["adam"] = c => new Adam(Get(c, "learning_rate", 0.001), Get(c, "beta_1", 0.9), Get(c, "beta_2", 0.999), Get(c, "epsilon", 1e-7), Get(c, "torch_style", 0) != 0),
        ["adamw"] = c => new AdamW(Get(c, "learning_rate", 0.001), Get(c, "weight_decay", 0.004), Get(c, "beta_1", 0.9), Get(c, "beta_2", 0.999), Get(c, "epsilon", 1e-7), Get(c, "torch_style", 0) != 0),
        ["sgd"] = c => new Sgd(Get(c, "learning_rate", 0.01), Get(c, "momentum", 0), Get(c, "nesterov", 0) != 0),
        ["rmsprop"] = c => new RmsProp(Get(c, "learning_rate", 0.001), Get(c, "rho", 0.9), Get(c, "epsilon", 1e-7), Get(c, "torch_style", 0) != 0),
        ["adagrad"] = c => new Adagrad(Get(c, "learning_rate", 0.001), Get(c, "initial_accumulator_value", 0.1), Get(c, "epsilon", 1e-7)),
    };

    static double Get(IReadOnlyDictionary<string, double>? c, string key, double fallback) => c is not null && c.TryGetValue(key, out var v) ? v : fallback;

    /// <summary>Every registered name.</summary>
    public static IReadOnlyCollection<string> Names => Registry.Keys;

    /// <summary>A new optimizer by Keras name, with Keras's defaults overridden by <paramref name="config"/> (Keras-named keys such as <c>learning_rate</c>).</summary>
    /// <exception cref="ArgumentException">Unknown name (lists valid names and the nearest).</exception>
    public static Optimizer Get(string name, IReadOnlyDictionary<string, double>? config = null) =>
        Registry.TryGetValue(name, out var make) ? make(config) : throw NameSuggestions.Unknown("optimizer", name, Registry.Keys);
}
