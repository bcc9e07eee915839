using TransferNotebooks.Frames;

namespace TransferNotebooks.Display.Formatters;

/// <summary><see cref="ClassificationReport"/> and <see cref="ConfusionMatrix"/> as HTML tables.</summary>
public static class ClassificationReportHtml
{
    /// <summary>The report as scikit-learn lays it out: classes, then accuracy, macro and weighted averages.</summary>
    public static string Render(ClassificationReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var rows = report.Classes.Select(c => (IReadOnlyList<object?>)[c.Label, c.Precision, c.Recall, c.F1, c.Support]).ToList();
        rows.Add(["accuracy", null, null, report.Accuracy, report.Samples]);
        foreach (var c in new[] { report.MacroAverage, report.WeightedAverage }) rows.Add([c.Label, c.Precision, c.Recall, c.F1, c.Support]);
        int first = report.Classes.Count;
        return HtmlTable.Render(["", "precision", "recall", "f1-score", "support"], rows, "Classification report", rowClass: i => i == first ? "tn-sep" : null);
    }

    /// <summary>The confusion matrix as a table of counts (rows true, columns predicted).</summary>
    public static string Render(ConfusionMatrix matrix)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        int k = matrix.Labels.Count;
        var rows = Enumerable.Range(0, k).Select(i => (IReadOnlyList<object?>)new object?[] { matrix.Names[i] }.Concat(Enumerable.Range(0, k).Select(j => (object?)matrix.Counts[i, j])).ToList());
        return HtmlTable.Render(new[] { "true \\ predicted" }.Concat(matrix.Names).ToList(), rows, $"Confusion matrix ({matrix.Total:N0} samples)");
    }
}
