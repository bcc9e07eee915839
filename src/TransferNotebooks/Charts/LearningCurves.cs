using Plotly.NET;
using TransferNotebooks.Metrics;
using TransferNotebooks.Training;

namespace TransferNotebooks.Charts;

/// <summary>
/// The charts of the library, each a <see cref="GenericChart"/>: display it in a notebook, add it to a
/// <see cref="Reports.Report"/>, save it with <see cref="ChartImage"/>, or (F#) pipe it into Plotly.NET's <c>Chart.with...</c> functions.
/// </summary>
public static partial class Plot
{
    static readonly string[] NotMetrics = ["learning_rate", "lr", "seconds"];

    /// <summary>
    /// Keras-style learning curves: one panel per quantity (loss, then each metric), training against validation, the learning
    /// rate on a secondary axis of the loss panel, and the best epoch marked by a dashed line in every panel.
    /// </summary>
    /// <param name="history">What <c>Fit</c> returned.</param>
    /// <param name="title">The chart title.</param>
    /// <param name="metrics">Which quantities to draw (base names such as <c>loss</c>, <c>accuracy</c>); all recorded ones by default.</param>
    /// <param name="showLearningRate">Draw the learning rate (when recorded) on a secondary axis.</param>
    /// <param name="monitor">The series whose best value marks the best epoch; <c>val_loss</c> when recorded, else <c>loss</c>. Lower is better for losses and errors, higher otherwise (Keras's auto mode, <see cref="MetricDirection"/>).</param>
    /// <param name="width">Width in pixels; 430 per panel by default.</param>
    /// <param name="height">Height in pixels.</param>
    /// <exception cref="ArgumentException">The history is empty or a requested metric was not recorded.</exception>
    public static GenericChart LearningCurves(History history, string title = "Learning curves", IEnumerable<string>? metrics = null,
        bool showLearningRate = true, string? monitor = null, int? width = null, int height = 440)
    {
        ArgumentNullException.ThrowIfNull(history);
        if (history.Count == 0) throw new ArgumentException("The history has no epochs; train with Fit first.", nameof(history));
        var panels = (metrics ?? BaseMetrics(history)).ToList();
        foreach (var m in panels)
            if (!history.Contains(m)) throw new ArgumentException($"History has no '{m}'. Recorded: {string.Join(", ", history.Keys)}.", nameof(metrics));
        if (panels.Count == 0) throw new ArgumentException("Nothing to draw: no metric given.", nameof(metrics));

        var epochs = history.Epochs.Select(e => e + 1).ToArray();
        var best = BestEpoch(history, monitor);
        bool lr = showLearningRate && history.Contains("learning_rate") && history["learning_rate"].Any(double.IsFinite);
        int n = panels.Count;
        double gap = lr ? 0.24 : 0.09;
        var traces = new List<Trace>();
        var layout = Figure.Layout(title, width ?? Math.Max(520, 440 * n + (lr && n > 1 ? 120 : lr ? 60 : 0)), height,
            ("legend", Figure.Obj(("orientation", "h"), ("x", 0.5), ("xanchor", "center"), ("y", -0.22), ("yanchor", "top"))),
            ("margin", Figure.Obj(("l", 70), ("r", lr ? 80 : 30), ("t", 100), ("b", 110))),
            ("hovermode", "x unified"));
        var annotations = new List<object>();
        var shapes = new List<object>();
        for (int i = 0; i < n; i++)
        {
            string id = Figure.Id(i), key = panels[i];
            var (from, to) = Figure.Domain(i, n, gap);
            layout.SetProperty("xaxis" + id, Figure.Axis(("title", Figure.Title("epoch", standoff: 6)), ("domain", new[] { from, to }), ("anchor", "y" + id),
                ("dtick", epochs.Length <= 20 ? 1 : null), ("showgrid", true), ("gridcolor", "#eeeeee"), ("linecolor", "#444444"), ("showline", true)));
            layout.SetProperty("yaxis" + id, Figure.Axis(("title", Figure.Title(key)), ("anchor", "x" + id), ("showgrid", true), ("gridcolor", "#eeeeee"),
                ("linecolor", "#444444"), ("showline", true), ("tickformat", key.Contains("acc", StringComparison.OrdinalIgnoreCase) ? ".1%" : null)));
            annotations.Add(Figure.PanelTitle(key, (from + to) / 2, 1.02, 15));
            traces.Add(Line(epochs, history[key], "training", Figure.Palette[0], "solid", id, legend: i == 0, group: "train"));
            if (history.Contains("val_" + key))
                traces.Add(Line(epochs, history["val_" + key], "validation", Figure.Palette[1], "dash", id, legend: i == 0, group: "val"));
            if (best is { } b)
            {
                shapes.Add(Figure.Obj(("type", "line"), ("xref", "x" + id), ("yref", "y" + id + " domain"), ("x0", b.Epoch), ("x1", b.Epoch),
                    ("y0", 0), ("y1", 1), ("line", Figure.Obj(("color", "#d62728"), ("width", 1.5), ("dash", "dot")))));
                if (key == b.Key || "val_" + key == b.Key)
                    traces.Add(Figure.Trace("scatter", ("x", new[] { b.Epoch }), ("y", new[] { b.Value }), ("mode", "markers"), ("name", $"best epoch ({b.Key})"),
                        ("marker", Figure.Obj(("symbol", "star"), ("size", 15), ("color", "#d62728"), ("line", Figure.Obj(("color", "white"), ("width", 1))))),
                        ("xaxis", "x" + id), ("yaxis", "y" + id), ("legendgroup", "best"),
                        ("hovertemplate", $"best epoch %{{x}}<br>{b.Key} %{{y:.4f}}<extra></extra>")));
            }
        }
        if (best is { } bb)
            annotations.Add(Figure.Obj(("text", $"best epoch {bb.Epoch}: {bb.Key} = {Figure.Num(bb.Value)}"), ("x", 0.5), ("y", 1.09), ("xref", "paper"), ("yref", "paper"),
                ("xanchor", "center"), ("yanchor", "bottom"), ("showarrow", false), ("font", Figure.Obj(("size", 12), ("color", "#d62728")))));
        if (lr)
        {
            string lrAxis = "y" + Figure.Id(n);
            layout.SetProperty("yaxis" + Figure.Id(n), Figure.Axis(("title", Figure.Title("learning rate")), ("overlaying", "y"), ("side", "right"), ("anchor", "x"),
                ("showgrid", false), ("exponentformat", "e"), ("tickfont", Figure.Obj(("color", "#7f7f7f"))), ("rangemode", "tozero")));
            traces.Add(Figure.Trace("scatter", ("x", epochs), ("y", Figure.Values(history["learning_rate"])), ("mode", "lines"), ("name", "learning rate"),
                ("line", Figure.Obj(("color", "#7f7f7f"), ("width", 1.5), ("dash", "dot"), ("shape", "hv"))), ("xaxis", "x"), ("yaxis", lrAxis),
                ("legendgroup", "lr"), ("hovertemplate", "lr %{y:.2e}<extra></extra>")));
        }
        layout.SetProperty("annotations", annotations);
        layout.SetProperty("shapes", shapes);
        return Figure.Chart(traces, layout);
    }

    static Trace Line(int[] epochs, IEnumerable<double> values, string name, string color, string dash, string axisId, bool legend, string group) =>
        Figure.Trace("scatter", ("x", epochs), ("y", Figure.Values(values)), ("mode", epochs.Length <= 30 ? "lines+markers" : "lines"), ("name", name),
            ("line", Figure.Obj(("color", color), ("width", 2.5), ("dash", dash))), ("marker", Figure.Obj(("size", 6))),
            ("xaxis", "x" + axisId), ("yaxis", "y" + axisId), ("legendgroup", group), ("showlegend", legend),
            ("hovertemplate", name + " %{y:.4f}<extra></extra>"));

    /// <summary>The base quantities of a history (loss first, then metrics) without <c>val_</c>, learning rate or timing series.</summary>
    internal static IReadOnlyList<string> BaseMetrics(History history)
    {
        var keys = history.Keys.Where(k => !k.StartsWith("val_", StringComparison.Ordinal) && !NotMetrics.Contains(k)).ToList();
        foreach (var k in history.Keys)
            if (k.StartsWith("val_", StringComparison.Ordinal) && !keys.Contains(k[4..]) && !NotMetrics.Contains(k[4..])) keys.Add(k[4..]);
        return keys.OrderBy(k => k == "loss" ? 0 : 1).ToList();
    }

    /// <summary>The best epoch (1-based) of <paramref name="monitor"/> (val_loss, else loss), or null when nothing finite was recorded.</summary>
    internal static (int Epoch, double Value, string Key)? BestEpoch(History history, string? monitor)
    {
        var key = monitor ?? (history.Contains("val_loss") ? "val_loss" : history.Contains("loss") ? "loss" : null);
        if (key is null) return null;
        if (!history.Contains(key)) throw new ArgumentException($"History has no '{key}' to monitor. Recorded: {string.Join(", ", history.Keys)}.", nameof(monitor));
        var values = history[key];
        bool lower = MetricDirection.LowerIsBetter(key);
        int bestIndex = -1;
        for (int i = 0; i < values.Count; i++)
            if (double.IsFinite(values[i]) && (bestIndex < 0 || (lower ? values[i] < values[bestIndex] : values[i] > values[bestIndex]))) bestIndex = i;
        return bestIndex < 0 ? null : (history.Epochs[bestIndex] + 1, values[bestIndex], key);
    }
}
