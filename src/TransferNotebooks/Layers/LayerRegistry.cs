using System.Text.Json;

namespace TransferNotebooks.Layers;

/// <summary>
/// The layer registry: Keras type names to factories that rebuild a layer from its saved configuration. Loading a model only
/// ever creates layers through this table (never a type named in a file), so a model file cannot run code.
/// </summary>
public static class LayerRegistry
{
    /// <summary>Rebuilds a layer from its config.</summary>
    public delegate Layer Factory(LayerConfig config);

    static readonly Dictionary<string, Factory> Registry = new(StringComparer.Ordinal)
    {
        ["Dense"] = c => new Dense(c.Int("units"), Activations.Get(c.String("activation", "linear")), c.Bool("use_bias", true), c.Name, c.InputShape),
        ["Flatten"] = c => new Flatten(c.Name, c.InputShape),
        ["Dropout"] = c => new Dropout(c.Double("rate"), c.Name, c.InputShape),
        ["Rescaling"] = c => new Rescaling(c.Double("scale"), c.Double("offset", 0), c.Name, c.InputShape),
        ["Activation"] = c => new Activation(Activations.Get(c.String("activation", "linear")), c.Name, c.InputShape),
        ["Reshape"] = c => new Reshape(c.Ints("target_shape"), c.Name, c.InputShape),
        ["Conv2D"] = c =>
        {
            var k = c.Ints("kernel_size");
            var s = c.Ints("strides", [1, 1]);
            return new Conv2D(c.Int("filters"), (k[0], k.Length > 1 ? k[1] : k[0]), (s[0], s.Length > 1 ? s[1] : s[0]), c.String("padding", "valid"),
                Activations.Get(c.String("activation", "linear")), c.Bool("use_bias", true), c.Name, c.InputShape);
        },
        ["Conv1D"] = c => new Conv1D(c.Int("filters"), c.Ints("kernel_size")[0], c.Ints("strides", [1])[0], c.String("padding", "valid"),
            Activations.Get(c.String("activation", "linear")), c.Bool("use_bias", true), c.Name, c.InputShape),
        ["MaxPooling1D"] = c => new MaxPooling1D(c.Ints("pool_size", [2])[0], c.Ints("strides", c.Ints("pool_size", [2]))[0], c.String("padding", "valid"), c.Name, c.InputShape),
        ["GlobalMaxPooling1D"] = c => new GlobalMaxPooling1D(c.Name, c.InputShape),
        ["MaxPooling2D"] = c => new MaxPooling2D(c.Ints("pool_size", [2, 2])[0], c.Ints("strides", c.Ints("pool_size", [2, 2]))[0], c.String("padding", "valid"), c.Name, c.InputShape),
        ["AveragePooling2D"] = c => new AveragePooling2D(c.Ints("pool_size", [2, 2])[0], c.Ints("strides", c.Ints("pool_size", [2, 2]))[0], c.String("padding", "valid"), c.Name, c.InputShape),
        ["GlobalAveragePooling2D"] = c => new GlobalAveragePooling2D(c.Name, c.InputShape),
        ["GlobalAveragePooling1D"] = c => new GlobalAveragePooling1D(c.Name, c.InputShape),
        ["BatchNormalization"] = c => new BatchNormalization(c.Double("momentum", 0.99), c.Double("epsilon", 1e-3), c.Name, c.InputShape),
        ["LSTM"] = c => new LSTM(c.Int("units"), Activations.Get(c.String("activation", "tanh")), Activations.Get(c.String("recurrent_activation", "sigmoid")),
            c.Bool("use_bias", true), c.Bool("return_sequences", false), c.Double("dropout", 0), c.Double("recurrent_dropout", 0), c.Name, c.InputShape),
        ["GRU"] = c => new GRU(c.Int("units"), Activations.Get(c.String("activation", "tanh")), Activations.Get(c.String("recurrent_activation", "sigmoid")),
            c.Bool("use_bias", true), c.Bool("return_sequences", false), c.Double("dropout", 0), c.Double("recurrent_dropout", 0), c.Bool("reset_after", true), c.Name, c.InputShape),
        ["Embedding"] = c => new Embedding(c.Int("input_dim"), c.Int("output_dim"), c.InputShape is { Length: 1 } s ? s[0] : null, c.Name, c.Bool("mask_zero", false)),
    };

    /// <summary>Every registered type name.</summary>
    public static IReadOnlyCollection<string> Names => Registry.Keys;

    /// <summary>True when the type is registered.</summary>
    public static bool Contains(string typeName) => Registry.ContainsKey(typeName);

    /// <summary>Builds a layer of a registered type.</summary>
    /// <exception cref="ArgumentException">Unknown type: the message lists the supported ones.</exception>
    public static Layer Create(string typeName, LayerConfig config) =>
        Registry.TryGetValue(typeName, out var f) ? f(config)
        : throw new ArgumentException($"Unknown layer type '{typeName}' (layer '{config.Name}'). For safety, only registered types are loaded: "
            + $"{string.Join(", ", Registry.Keys.Order())}. A custom layer must be registered with LayerRegistry.Register before loading.");

    /// <summary>Registers a custom layer type for loading.</summary>
    public static void Register(string typeName, Factory factory) => Registry[typeName] = factory;
}

/// <summary>A saved layer configuration (Keras-named keys) read from JSON.</summary>
/// <param name="Name">The layer's name.</param>
/// <param name="InputShape">Its declared input shape, if any.</param>
/// <param name="Values">The config object.</param>
public sealed record LayerConfig(string? Name, int[]? InputShape, JsonElement Values)
{
    JsonElement? Get(string key) => Values.ValueKind == JsonValueKind.Object && Values.TryGetProperty(key, out var v) && v.ValueKind != JsonValueKind.Null ? v : null;

    /// <summary>An integer value (required).</summary>
    public int Int(string key) => Get(key)?.GetInt32() ?? throw Missing(key);
    /// <summary>A number (required unless a fallback is given).</summary>
    public double Double(string key, double? fallback = null) => Get(key)?.GetDouble() ?? fallback ?? throw Missing(key);
    /// <summary>A string value.</summary>
    public string String(string key, string fallback) => Get(key)?.GetString() ?? fallback;
    /// <summary>A boolean value.</summary>
    public bool Bool(string key, bool fallback) => Get(key) is { } v ? v.GetBoolean() : fallback;
    /// <summary>An integer array (a single number becomes a one-element array).</summary>
    public int[] Ints(string key, int[]? fallback = null) => Get(key) is { } v
        ? v.ValueKind == JsonValueKind.Array ? v.EnumerateArray().Select(e => e.GetInt32()).ToArray() : [v.GetInt32()]
        : fallback ?? throw Missing(key);

    InvalidDataException Missing(string key) => new($"Layer '{Name}' config lacks '{key}'; the model file is incomplete or from an incompatible version.");
}
