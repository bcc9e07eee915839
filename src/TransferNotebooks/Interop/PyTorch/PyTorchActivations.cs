using System.Globalization;
using TransferNotebooks.Layers;

namespace TransferNotebooks.Interop.PyTorch;

/// <summary>The PyTorch expression of each built-in Keras activation, as our <see cref="Activations"/> computes it.</summary>
internal static class PyTorchActivations
{
    static readonly Dictionary<string, string> Forms = new(StringComparer.OrdinalIgnoreCase)
    {
        ["linear"] = "{0}",
        ["relu"] = "torch.relu({0})",
        ["sigmoid"] = "torch.sigmoid({0})",
        ["softmax"] = "torch.softmax({0}, -1)",
        ["log_softmax"] = "torch.log_softmax({0}, -1)",
        ["tanh"] = "torch.tanh({0})",
        ["elu"] = "F.elu({0}, 1.0)",
        ["selu"] = "F.selu({0})",
        ["gelu"] = "F.gelu({0})",
        ["silu"] = "F.silu({0})",
        ["swish"] = "F.silu({0})",
        ["softplus"] = "F.softplus({0})",
        ["softsign"] = "F.softsign({0})",
        ["leaky_relu"] = "F.leaky_relu({0}, 0.2)",
        ["relu6"] = "F.relu6({0})",
        ["exponential"] = "torch.exp({0})",
        ["hard_sigmoid"] = "F.hardsigmoid({0})",
    };

    /// <summary>The activation applied to the Python expression <paramref name="x"/>.</summary>
    /// <exception cref="NotSupportedException">A custom activation: it has no known PyTorch form.</exception>
    public static string Apply(ActivationFunction activation, string x, string layer) =>
        string.Format(CultureInfo.InvariantCulture, Form(activation, layer), x);

    /// <summary>The activation as a Python callable (for recurrent layers' step functions).</summary>
    public static string Callable(ActivationFunction activation, string layer) => activation.Name switch
    {
        "tanh" => "torch.tanh",
        "sigmoid" => "torch.sigmoid",
        "relu" => "torch.relu",
        _ => "lambda t: " + Apply(activation, "t", layer),
    };

    static string Form(ActivationFunction activation, string layer) =>
        Forms.TryGetValue(activation.Name, out var form) ? form
        : throw new NotSupportedException($"Layer {layer} uses activation '{activation.Name}', which has no PyTorch form (built-in ones: {string.Join(", ", Forms.Keys)}). "
            + "Use a built-in activation before SavePyTorch, or edit the generated model.py by hand.");
}
