using System.Globalization;
using System.Text;
using TransferNotebooks.Layers;

namespace TransferNotebooks.Models;

/// <summary>One row of <see cref="ModelSummary"/>.</summary>
/// <param name="Name">Layer name.</param>
/// <param name="Type">Layer type (Keras name).</param>
/// <param name="OutputShape">Output shape as Keras prints it, e.g. <c>(None, 10)</c>.</param>
/// <param name="Parameters">Number of weights.</param>
/// <param name="Trainable">False when frozen.</param>
/// <param name="Drift">After fine-tuning with frozen layers: the largest absolute change of this layer's weights since it was frozen (0 = untouched); null when not tracked.</param>
/// <param name="ConnectedTo">Functional models: the tensors the layer is called on, as Keras prints them (<c>conv2d[0][0], add[0][0]</c>); null for Sequential.</param>
public sealed record LayerSummary(string Name, string Type, string OutputShape, long Parameters, bool Trainable, double? Drift = null, string? ConnectedTo = null);

/// <summary>Keras's <c>model.summary()</c> as data: rows and totals; <see cref="ToString"/> prints the table.</summary>
/// <param name="ModelName">The model's name.</param>
/// <param name="Layers">One row per layer.</param>
/// <param name="TrainableParameters">Weights that training updates.</param>
/// <param name="NonTrainableParameters">Frozen weights and running statistics.</param>
public sealed record ModelSummary(string ModelName, IReadOnlyList<LayerSummary> Layers, long TrainableParameters, long NonTrainableParameters)
{
    /// <summary>All weights.</summary>
    public long TotalParameters => TrainableParameters + NonTrainableParameters;

    /// <inheritdoc />
    public override string ToString()
    {
        bool drift = Layers.Any(l => l.Drift is not null);
        bool connected = Layers.Any(l => l.ConnectedTo is not null);
        var header = new[] { "Layer (type)", "Output Shape", "Param #", "Trainable" }.Concat(drift ? ["Drift"] : []).Concat(connected ? ["Connected to"] : []).ToArray();
        var rows = Layers.Select(l => new[] { $"{l.Name} ({l.Type})", l.OutputShape, l.Parameters.ToString("N0", CultureInfo.InvariantCulture), l.Trainable ? "yes" : "frozen" }
            .Concat(drift ? [l.Drift is double d ? d.ToString("G3", CultureInfo.InvariantCulture) : ""] : [])
            .Concat(connected ? [l.ConnectedTo ?? ""] : []).ToArray()).ToList();
        var widths = Enumerable.Range(0, header.Length).Select(i => Math.Max(header[i].Length, rows.Select(r => r[i].Length).DefaultIfEmpty(0).Max()) + 2).ToArray();
        var sb = new StringBuilder();
        sb.AppendLine($"Model: \"{ModelName}\"");
        var rule = new string('─', widths.Sum());
        sb.AppendLine(rule);
        sb.AppendLine(string.Concat(header.Select((h, i) => h.PadRight(widths[i]))));
        sb.AppendLine(new string('═', widths.Sum()));
        foreach (var r in rows) sb.AppendLine(string.Concat(r.Select((c, i) => c.PadRight(widths[i]))));
        sb.AppendLine(rule);
        sb.AppendLine(CultureInfo.InvariantCulture, $" Total params: {TotalParameters:N0}");
        sb.AppendLine(CultureInfo.InvariantCulture, $" Trainable params: {TrainableParameters:N0}");
        sb.AppendLine(CultureInfo.InvariantCulture, $" Non-trainable params: {NonTrainableParameters:N0}");
        return sb.ToString();
    }

    internal static LayerSummary Row(Layer l, double? drift) =>
        new(l.Name ?? "?", l.TypeName, Layer.ShapeText(l.OutputShape), l.ParameterCount, l.Trainable, drift);
}
