using static TorchSharp.torch;

namespace TransferNotebooks.Layers;

/// <summary>An activation function with its Keras name.</summary>
/// <param name="Name">The Keras name (for example <c>relu</c>).</param>
/// <param name="Apply">The function.</param>
public sealed record ActivationFunction(string Name, Func<Tensor, Tensor> Apply)
{
    /// <summary>True for <c>linear</c> (identity).</summary>
    public bool IsLinear => Name == "linear";

    /// <inheritdoc />
    public override string ToString() => Name;
}

/// <summary>The activation registry: Keras names to functions. Unknown names get a clear error with the nearest valid name.</summary>
public static class Activations
{
    static readonly Dictionary<string, Func<Tensor, Tensor>> Registry = new(StringComparer.OrdinalIgnoreCase)
    {
        ["linear"] = x => x.alias(),
        ["relu"] = x => nn.functional.relu(x),
        ["sigmoid"] = x => x.sigmoid(),
        ["softmax"] = x => x.softmax(-1),
        ["log_softmax"] = x => x.log_softmax(-1),
        ["tanh"] = x => x.tanh(),
        ["elu"] = x => nn.functional.elu(x, 1.0),
        ["selu"] = x => nn.functional.selu(x),
        ["gelu"] = x => nn.functional.gelu(x),
        ["silu"] = x => nn.functional.silu(x),
        ["swish"] = x => nn.functional.silu(x),
        ["softplus"] = x => nn.functional.softplus(x),
        ["softsign"] = x => nn.functional.softsign(x),
        ["leaky_relu"] = x => nn.functional.leaky_relu(x, 0.2),
        ["relu6"] = x => nn.functional.relu6(x),
        ["exponential"] = x => x.exp(),
        ["hard_sigmoid"] = x => nn.functional.hardsigmoid(x),
    };

    /// <summary>Every registered name.</summary>
    public static IReadOnlyCollection<string> Names => Registry.Keys;

    /// <summary>Looks an activation up by Keras name (null or empty means linear).</summary>
    /// <exception cref="ArgumentException">Unknown name; the message lists the valid ones and the nearest.</exception>
    public static ActivationFunction Get(string? name)
    {
        if (string.IsNullOrEmpty(name)) name = "linear";
        if (Registry.TryGetValue(name, out var f)) return new ActivationFunction(name.ToLowerInvariant(), f);
        throw NameSuggestions.Unknown("activation", name, Registry.Keys);
    }

    /// <summary>Wraps a custom function (saved models record its name; loading needs it registered with <see cref="Register"/>).</summary>
    public static ActivationFunction From(Func<Tensor, Tensor> function, string name = "custom") => new(name, function);

    /// <summary>Registers a custom activation so it can be used by name and loaded from saved models.</summary>
    public static void Register(string name, Func<Tensor, Tensor> function) => Registry[name] = function;
}
