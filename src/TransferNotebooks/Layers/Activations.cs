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

    /// <summary>
    /// Adds this activation's ONNX nodes on <paramref name="input"/> and returns the output's name (linear adds none). Refuses an
    /// activation with no ONNX form (a custom function) with an error naming <paramref name="layer"/>.
    /// </summary>
    internal string ToOnnx(Interop.Onnx.OnnxGraph graph, string input, Layer layer)
    {
        switch (Name)
        {
            case "linear": return input;
            case "relu": return graph.Node("Relu", [input]);
            case "sigmoid": return graph.Node("Sigmoid", [input]);
            case "softmax": return graph.Node("Softmax", [input], new Interop.Onnx.OnnxAttribute("axis", -1L));
            case "log_softmax": return graph.Node("LogSoftmax", [input], new Interop.Onnx.OnnxAttribute("axis", -1L));
            case "tanh": return graph.Node("Tanh", [input]);
            case "elu": return graph.Node("Elu", [input], new Interop.Onnx.OnnxAttribute("alpha", 1f));
            case "selu": return graph.Node("Selu", [input]);
            case "softplus": return graph.Node("Softplus", [input]);
            case "softsign": return graph.Node("Softsign", [input]);
            case "leaky_relu": return graph.Node("LeakyRelu", [input], new Interop.Onnx.OnnxAttribute("alpha", 0.2f));
            case "exponential": return graph.Node("Exp", [input]);
            case "relu6": return graph.Node("Clip", [input, graph.Scalar(0, "min"), graph.Scalar(6, "max")]);
            // torch's hardsigmoid: relu6(x + 3) / 6.
            case "hard_sigmoid": return graph.Node("HardSigmoid", [input], new Interop.Onnx.OnnxAttribute("alpha", 1f / 6), new Interop.Onnx.OnnxAttribute("beta", 0.5f));
            case "silu" or "swish": return graph.Node("Mul", [input, graph.Node("Sigmoid", [input])]);
            case "gelu": // exact (erf) GELU as torch's default; ONNX's Gelu operator needs opset 20
            {
                var scaled = graph.Node("Div", [input, graph.Scalar(MathF.Sqrt(2f), "sqrt2")]);
                var onePlus = graph.Node("Add", [graph.Node("Erf", [scaled]), graph.Scalar(1f, "one")]);
                return graph.Node("Mul", [graph.Node("Mul", [input, onePlus]), graph.Scalar(0.5f, "half")]);
            }
            default:
                throw Interop.Onnx.OnnxGraph.Refuse(layer, $"its activation '{Name}' is a custom function with no ONNX form",
                    "Use a built-in activation (" + string.Join(", ", Activations.Names.Order()) + ") or give the layer an ONNX form by overriding ToOnnx.");
        }
    }
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
