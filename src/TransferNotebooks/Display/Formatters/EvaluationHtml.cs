using TransferNotebooks.Training;

namespace TransferNotebooks.Display.Formatters;

/// <summary><see cref="EvaluationResult"/> as a small HTML table of quantity and value.</summary>
public static class EvaluationHtml
{
    /// <summary>The evaluation as HTML.</summary>
    public static string Render(EvaluationResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var rows = result.Values.Select(kv => (IReadOnlyList<object?>)[kv.Key, kv.Value]).ToList();
        return HtmlTable.Render(["", "value"], rows, "Evaluation", [$"{result.Samples:N0} samples"]);
    }
}
