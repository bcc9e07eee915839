using System.Globalization;

namespace TransferNotebooks.Interop.PyTorch;

/// <summary>Python literals and names for the generated model.py.</summary>
internal static class PythonSyntax
{
    static readonly HashSet<string> Keywords =
    [
        "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue", "def", "del", "elif", "else", "except",
        "finally", "for", "from", "global", "if", "import", "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try",
        "while", "with", "yield",
    ];

    /// <summary>nn.Module attributes a layer name must not shadow.</summary>
    static readonly HashSet<string> ModuleAttributes =
    [
        "training", "forward", "call", "train", "eval", "parameters", "buffers", "modules", "children", "state_dict", "load_state_dict",
        "to", "cpu", "cuda", "float", "double", "half", "apply", "zero_grad", "requires_grad_", "type", "extra_repr", "register_buffer",
        "register_parameter", "add_module", "named_parameters", "named_buffers", "named_modules", "named_children", "dump_patches",
        "input_shape", "input_dtype", "output_activation", "loss", "prepare", "get_submodule", "get_parameter", "get_buffer",
    ];

    /// <summary>A number as a Python literal (round-trip precision, invariant culture).</summary>
    public static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>A boolean literal.</summary>
    public static string Bool(bool value) => value ? "True" : "False";

    /// <summary>A tuple literal: <c>(1, 2)</c>, <c>(3,)</c>.</summary>
    public static string Tuple(IEnumerable<int> values)
    {
        var items = values.Select(v => v.ToString(CultureInfo.InvariantCulture)).ToList();
        return items.Count == 1 ? $"({items[0]},)" : $"({string.Join(", ", items)})";
    }

    /// <summary>A list literal: <c>[1, 2]</c>.</summary>
    public static string List(IEnumerable<int> values) => "[" + string.Join(", ", values.Select(v => v.ToString(CultureInfo.InvariantCulture))) + "]";

    /// <summary>A string literal.</summary>
    public static string String(string value) => "\"" + value.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";

    /// <summary>True when <paramref name="name"/> can be an attribute (<c>self.name</c>) of a generated module.</summary>
    public static bool IsAttributeName(string name) =>
        name.Length > 0 && (char.IsAsciiLetter(name[0]) || name[0] == '_') && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_')
        && !Keywords.Contains(name) && !ModuleAttributes.Contains(name) && !name.StartsWith("__", StringComparison.Ordinal);

    /// <summary>A Python class name from a model name: letters, digits and underscores.</summary>
    public static string ClassName(string name)
    {
        var chars = name.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_').ToArray();
        var text = new string(chars);
        return char.IsAsciiDigit(text.FirstOrDefault('_')) ? "_" + text : text;
    }
}
