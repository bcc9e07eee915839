using System.Globalization;

namespace TransferNotebooks.Training;

/// <summary>The result of <c>Evaluate</c>: the loss and each metric by name.</summary>
/// <param name="Values">Name to value (<c>loss</c>, <c>accuracy</c>, ...).</param>
/// <param name="Samples">How many samples were evaluated.</param>
public sealed record EvaluationResult(IReadOnlyDictionary<string, double> Values, int Samples)
{
    /// <summary>The loss.</summary>
    public double Loss => Values["loss"];

    /// <summary>One value by name.</summary>
    /// <exception cref="KeyNotFoundException">No such metric; the message lists what exists.</exception>
    public double this[string name] => Values.TryGetValue(name, out var v) ? v
        : throw new KeyNotFoundException($"No '{name}' in this evaluation. Available: {string.Join(", ", Values.Keys)}.");

    /// <summary>The accuracy (whatever flavour was compiled), or NaN when not compiled.</summary>
    public double Accuracy => Values.TryGetValue("accuracy", out var a) ? a : Values.TryGetValue("acc", out var b) ? b : double.NaN;

    /// <inheritdoc />
    public override string ToString() =>
        string.Join("  ", Values.Select(kv => $"{kv.Key}: {Hosting.NumberFormat.Value(kv.Value)}")) + $"  ({Samples} samples)";
}
