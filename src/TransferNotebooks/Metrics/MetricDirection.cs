namespace TransferNotebooks.Metrics;

/// <summary>
/// Whether a higher or a lower value is better for a logged name (<c>loss</c>, <c>val_accuracy</c>, <c>auc</c>, ...): the one
/// rule behind the callbacks' <c>mode: "auto"</c> (<see cref="Training.Callbacks.MonitorCallback"/>) and the charts' best-epoch
/// markers.
/// </summary>
/// <remarks>
/// Keras's auto rule: after removing a <c>val_</c> prefix, names that contain <c>acc</c> (accuracy,
/// sparse_categorical_accuracy, top-k accuracy), <c>auc</c>, <c>precision</c>, <c>recall</c>, <c>f1</c>, <c>fbeta</c> or
/// <c>fmeasure</c> (case ignored) are maximised; everything else (loss, mae, mse, errors, unknown names) is minimised.
/// </remarks>
public static class MetricDirection
{
    static readonly string[] HigherIsBetterParts = ["acc", "auc", "precision", "recall", "f1", "fbeta", "fmeasure"];

    /// <summary>The metric's own name: <paramref name="logged"/> without a <c>val_</c> prefix.</summary>
    public static string BaseName(string logged)
    {
        ArgumentNullException.ThrowIfNull(logged);
        return logged.StartsWith("val_", StringComparison.Ordinal) ? logged[4..] : logged;
    }

    /// <summary>True when higher values of <paramref name="logged"/> are better (accuracy-, AUC-, precision-, recall- and F-score-like names).</summary>
    public static bool HigherIsBetter(string logged)
    {
        var name = BaseName(logged);
        foreach (var part in HigherIsBetterParts)
            if (name.Contains(part, StringComparison.OrdinalIgnoreCase)) return true;
        return false;
    }

    /// <summary>True when lower values of <paramref name="logged"/> are better (losses, errors and every name not known to be maximised).</summary>
    public static bool LowerIsBetter(string logged) => !HigherIsBetter(logged);

    /// <summary>True when <paramref name="candidate"/> is better than <paramref name="reference"/> for <paramref name="logged"/> (NaN is never better; anything beats NaN).</summary>
    public static bool IsBetter(string logged, double candidate, double reference) =>
        !double.IsNaN(candidate) && (double.IsNaN(reference) || (HigherIsBetter(logged) ? candidate > reference : candidate < reference));
}
