using Plotly.NET;
using TransferNotebooks.Data;
using TransferNotebooks.Frames;
using TransferNotebooks.Models;

namespace TransferNotebooks.Charts;

public static partial class Plot
{
    /// <summary>
    /// A confusion-matrix heatmap: true labels down, predicted labels across, each cell printed. With <paramref name="normalize"/>,
    /// rows are fractions of each true class (recall on the diagonal) and the counts stay in the hover text.
    /// </summary>
    /// <param name="matrix">The counts (see <see cref="Frames.ConfusionMatrix.Compute(IEnumerable{long}, IEnumerable{long}, IEnumerable{string}?)"/>).</param>
    /// <param name="normalize">Show row fractions instead of counts.</param>
    /// <param name="title">The chart title; by default says which and gives the accuracy.</param>
    /// <param name="size">Width and height in pixels; grows with the number of classes by default.</param>
    public static GenericChart ConfusionMatrix(ConfusionMatrix matrix, bool normalize = false, string? title = null, int? size = null)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        int k = matrix.Labels.Count;
        var norm = matrix.Normalized();
        var z = Enumerable.Range(0, k).Select(i => Enumerable.Range(0, k).Select(j => normalize ? norm[i, j] : (double)matrix.Counts[i, j]).ToArray()).ToArray();
        var text = Enumerable.Range(0, k).Select(i => Enumerable.Range(0, k).Select(j =>
            normalize ? (norm[i, j] == 0 ? "0" : Figure.Num(norm[i, j] * 100, "0.0") + "%") : Figure.Num(matrix.Counts[i, j], "0")).ToArray()).ToArray();
        var counts = Enumerable.Range(0, k).Select(i => Enumerable.Range(0, k).Select(j => matrix.Counts[i, j]).ToArray()).ToArray();
        var names = matrix.Names.ToArray();
        var heat = Figure.Trace("heatmap", ("z", z), ("x", names), ("y", names), ("text", text), ("customdata", counts),
            ("texttemplate", k <= 20 ? "%{text}" : null), ("textfont", Figure.Obj(("size", k <= 10 ? 13 : 10))),
            ("colorscale", Figure.Blues), ("zmin", 0), ("zmax", normalize ? 1 : null), ("xgap", 1), ("ygap", 1),
            ("colorbar", Figure.Obj(("title", Figure.Obj(("text", normalize ? "fraction of true class" : "count"), ("side", "right"))), ("tickformat", normalize ? ".0%" : null), ("dtick", !normalize && matrix.Counts.Cast<long>().DefaultIfEmpty(0).Max() <= 10 ? 1 : null))),
            ("hovertemplate", "true %{y}, predicted %{x}<br>%{customdata} samples (%{text})<extra></extra>"));
        int side = size ?? Math.Clamp(160 + 48 * k, 420, 900);
        var layout = Figure.Layout(title ?? $"Confusion matrix{(normalize ? " (normalised by true class)" : "")} · accuracy {Figure.Num(matrix.Accuracy * 100, "0.0")}% of {matrix.Total}",
            side + 90, side,
            ("xaxis", Figure.Axis(("title", Figure.Title("predicted label")), ("type", "category"), ("side", "bottom"), ("tickangle", 0), ("constrain", "domain"))),
            ("yaxis", Figure.Axis(("title", Figure.Title("true label")), ("type", "category"), ("autorange", "reversed"), ("scaleanchor", "x"), ("constrain", "domain"))),
            ("margin", Figure.Obj(("l", 90), ("r", 30), ("t", 80), ("b", 70))));
        return Figure.Chart([heat], layout);
    }

    /// <summary>A confusion-matrix heatmap from true and predicted labels.</summary>
    /// <param name="yTrue">True class labels.</param>
    /// <param name="yPred">Predicted class labels.</param>
    /// <param name="classNames">Names for labels 0..k-1.</param>
    /// <param name="normalize">Show row fractions instead of counts.</param>
    /// <param name="title">The chart title.</param>
    public static GenericChart ConfusionMatrix(IEnumerable<long> yTrue, IEnumerable<long> yPred, IEnumerable<string>? classNames = null, bool normalize = false, string? title = null) =>
        ConfusionMatrix(Frames.ConfusionMatrix.Compute(yTrue, yPred, classNames), normalize, title);

    /// <summary>A confusion-matrix heatmap of <paramref name="model"/>'s predictions on <paramref name="data"/>.</summary>
    /// <param name="model">A trained classifier.</param>
    /// <param name="data">Labelled samples.</param>
    /// <param name="classNames">Names for labels 0..k-1.</param>
    /// <param name="normalize">Show row fractions instead of counts.</param>
    /// <param name="title">The chart title.</param>
    public static GenericChart ConfusionMatrix(KerasModel model, Dataset data, IEnumerable<string>? classNames = null, bool normalize = false, string? title = null) =>
        ConfusionMatrix(Frames.ConfusionMatrix.Compute(model, data, classNames), normalize, title);
}
