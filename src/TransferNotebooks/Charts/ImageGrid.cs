using System.Globalization;
using Plotly.NET;
using TransferNotebooks.Data;
using TransferNotebooks.Frames;
using TransferNotebooks.Models;
using static TorchSharp.torch;

namespace TransferNotebooks.Charts;

public static partial class Plot
{
    /// <summary>
    /// A grid of images drawn white on black as MNIST is usually shown (digits, or any [N, H, W] / [N, H, W, 1] / [N, H, W, 3] images) captioned with their true label and,
    /// when given, the predicted label; wrong predictions are captioned in red.
    /// </summary>
    /// <param name="data">The images and their labels.</param>
    /// <param name="predicted">Predicted labels for every sample of <paramref name="data"/> (for example <c>model.PredictClasses(data.X)</c>).</param>
    /// <param name="count">How many images (the first ones, or those of <paramref name="indices"/>).</param>
    /// <param name="columns">Images per row.</param>
    /// <param name="indices">Which samples to show, in order; overrides <paramref name="count"/>.</param>
    /// <param name="classNames">Names for labels 0..k-1.</param>
    /// <param name="title">The chart title.</param>
    public static GenericChart ImageGrid(Dataset data, IEnumerable<long>? predicted = null, int count = 16, int columns = 8,
        IEnumerable<long>? indices = null, IEnumerable<string>? classNames = null, string? title = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        var labels = data.Labels;
        var pred = predicted?.ToArray();
        if (pred is not null && pred.Length != data.Count)
            throw new ArgumentException($"predicted has {pred.Length} labels but the dataset has {data.Count} samples.", nameof(predicted));
        var names = classNames?.ToList();
        string Name(long l) => names is not null && l >= 0 && l < names.Count ? names[(int)l] : l.ToString(CultureInfo.InvariantCulture);
        var which = (indices ?? Enumerable.Range(0, Math.Min(count, data.Count)).Select(i => (long)i)).ToList();
        var cells = which.Select(i =>
        {
            string caption = pred is null ? Name(labels[i]) : $"true {Name(labels[i])} · pred {Name(pred[i])}";
            return new ImageCell(i, caption, pred is not null && pred[i] != labels[i]);
        }).ToList();
        return Images(data, cells, columns, title ?? (pred is null ? "Samples" : $"Predictions ({cells.Count(c => !c.Wrong)} of {cells.Count} right)"));
    }

    /// <summary>
    /// fastai's <c>plot_top_losses</c>: the samples with the highest loss (the most confidently wrong predictions), captioned with
    /// predicted / true class, loss and the probability given to the true class.
    /// </summary>
    /// <param name="data">The images and their labels.</param>
    /// <param name="predictions">Per-sample predictions of <paramref name="data"/> (see <see cref="Predictions.Of"/>).</param>
    /// <param name="count">How many samples.</param>
    /// <param name="columns">Images per row.</param>
    /// <param name="classNames">Names for labels 0..k-1.</param>
    /// <param name="title">The chart title.</param>
    public static GenericChart TopLosses(Dataset data, IEnumerable<Prediction> predictions, int count = 9, int columns = 3,
        IEnumerable<string>? classNames = null, string title = "Top losses")
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(predictions);
        var names = classNames?.ToList();
        string Name(long l) => names is not null && l >= 0 && l < names.Count ? names[(int)l] : l.ToString(CultureInfo.InvariantCulture);
        var top = predictions.TopLosses(count);
        var cells = top.Select(p => new ImageCell(p.Index,
            $"{Name(p.Predicted)} / {Name(p.True)} / {Figure.Num(p.Loss, "0.00")} / {(p.Probability < 0.001 ? "<0.001" : Figure.Num(p.Probability, "0.000"))}", !p.Correct)).ToList();
        return Images(data, cells, columns, title + "<br><sup>prediction / actual / loss / probability of actual</sup>", cellSize: 170);
    }

    /// <summary>fastai's <c>plot_top_losses</c> for <paramref name="model"/> on <paramref name="data"/>.</summary>
    /// <param name="model">A trained classifier.</param>
    /// <param name="data">Labelled images.</param>
    /// <param name="count">How many samples.</param>
    /// <param name="columns">Images per row.</param>
    /// <param name="classNames">Names for labels 0..k-1.</param>
    public static GenericChart TopLosses(KerasModel model, Dataset data, int count = 9, int columns = 3, IEnumerable<string>? classNames = null) =>
        TopLosses(data, Predictions.Of(model, data), count, columns, classNames);

    sealed record ImageCell(long Index, string Caption, bool Wrong);

    static GenericChart Images(Dataset data, IReadOnlyList<ImageCell> cells, int columns, string title, int cellSize = 130)
    {
        if (cells.Count == 0) throw new ArgumentException("No images to show.");
        if (columns <= 0) throw new ArgumentOutOfRangeException(nameof(columns), columns, "columns must be positive.");
        int shapeLength = data.X.shape.Length;
        if (shapeLength is not (3 or 4) || (shapeLength == 4 && data.X.shape[3] is not (1 or 3)))
            throw new ArgumentException($"Images must be [N, H, W], [N, H, W, 1] or [N, H, W, 3]; got [{string.Join(", ", data.X.shape)}].", nameof(data));
        columns = Math.Min(columns, cells.Count);
        int rows = (cells.Count + columns - 1) / columns;
        bool rgb = shapeLength == 4 && data.X.shape[3] == 3;
        double xGap = 0.02, yGap = 0.3 / rows;
        var traces = new List<Trace>();
        var annotations = new List<object>();
        var layout = Figure.Layout(title, Math.Max(420, cellSize * columns + 40), 90 + (cellSize + 24) * rows,
            ("margin", Figure.Obj(("l", 20), ("r", 20), ("t", 90), ("b", 20))), ("showlegend", false));
        using var scope = NewDisposeScope();
        var x = data.X.to_type(ScalarType.Float32);
        double max = x.max().item<float>();
        double scale = max > 1.5 ? 1 / 255.0 : 1; // 0..255 images
        for (int c = 0; c < cells.Count; c++)
        {
            var cell = cells[c];
            var image = x[cell.Index];
            int h = (int)image.shape[0], w = (int)image.shape[1];
            var pixels = image.reshape(-1).data<float>().ToArray();
            string id = Figure.Id(c);
            var (xd, yd) = Figure.Cell(c, columns, rows, xGap, yGap);
            if (rgb)
            {
                // A PNG data URI rather than a z array of numbers: about 20 times smaller in the notebook for photos.
                var bytes = pixels.Select(v => (byte)Math.Round(Math.Clamp(v * scale, 0, 1) * 255)).ToArray();
                traces.Add(Figure.Trace("image", ("source", PngDataUri.FromRgb(bytes, h, w)),
                    ("xaxis", "x" + id), ("yaxis", "y" + id), ("hoverinfo", "skip")));
            }
            else
                traces.Add(Figure.Trace("heatmap", ("z", Enumerable.Range(0, h).Select(r => Enumerable.Range(0, w).Select(col => Math.Round(pixels[r * w + col] * scale, 3)).ToArray()).ToArray()),
                    ("colorscale", "Greys"), ("zmin", 0), ("zmax", 1), ("showscale", false), ("xaxis", "x" + id), ("yaxis", "y" + id),
                    ("hovertemplate", $"sample {cell.Index}<extra></extra>")));
            layout.SetProperty("xaxis" + id, Figure.Axis(("domain", new[] { xd.Item1, xd.Item2 }), ("anchor", "y" + id), ("visible", false), ("constrain", "domain")));
            layout.SetProperty("yaxis" + id, Figure.Axis(("domain", new[] { yd.Item1, yd.Item2 }), ("anchor", "x" + id), ("visible", false),
                ("autorange", "reversed"), ("scaleanchor", "x" + id), ("constrain", "domain")));
            annotations.Add(Figure.PanelTitle(cell.Caption, (xd.Item1 + xd.Item2) / 2, yd.Item2 + 0.005, cellSize >= 160 ? 12 : 11, cell.Wrong ? "#d62728" : "#222222"));
        }
        layout.SetProperty("annotations", annotations);
        return Figure.Chart(traces, layout);
    }
}
