using System.Globalization;
using TransferNotebooks.Models;

namespace TransferNotebooks.Display.Formatters;

/// <summary><see cref="ModelSummary"/> as an HTML table (Keras's <c>summary()</c>), frozen layers greyed, drift shown when tracked, Keras's "Connected to" column for functional models.</summary>
public static class ModelSummaryHtml
{
    /// <summary>The summary as HTML.</summary>
    public static string Render(ModelSummary summary)
    {
        ArgumentNullException.ThrowIfNull(summary);
        bool drift = summary.Layers.Any(l => l.Drift is not null);
        var header = new List<string> { "Layer (type)", "Output Shape", "Param #", "Trainable" };
        if (drift) header.Add("Drift");
        bool connected = summary.Layers.Any(l => l.ConnectedTo is not null);
        if (connected) header.Add("Connected to");
        var rows = summary.Layers.Select(l =>
        {
            var row = new List<object?> { $"{l.Name} ({l.Type})", l.OutputShape, l.Parameters, l.Trainable ? "yes" : "frozen" };
            if (drift) row.Add(l.Drift is double d ? d.ToString("G3", CultureInfo.InvariantCulture) : "");
            if (connected) row.Add(l.ConnectedTo ?? "");
            return (IReadOnlyList<object?>)row;
        }).ToList();
        var footer = new[]
        {
            string.Create(CultureInfo.InvariantCulture, $"Total params: {summary.TotalParameters:N0}"),
            string.Create(CultureInfo.InvariantCulture, $"Trainable params: {summary.TrainableParameters:N0}"),
            string.Create(CultureInfo.InvariantCulture, $"Non-trainable params: {summary.NonTrainableParameters:N0}"),
        };
        return HtmlTable.Render(header, rows, $"Model: \"{summary.ModelName}\"", footer, i => summary.Layers[i].Trainable ? null : "tn-muted");
    }
}
