using Plotly.NET;
using TransferNotebooks.Metrics;
using TransferNotebooks.Training;
using TransferNotebooks.Transfer;

namespace TransferNotebooks.Charts;

public static partial class Plot
{
    /// <summary>
    /// Several trainings side by side (for example <c>scratch</c>, <c>frozen</c>, <c>fine-tune</c>): one panel per quantity, one colour
    /// per run, validation solid and training dotted, each run's best validation value in its legend entry.
    /// </summary>
    /// <param name="runs">Run name and its history, in legend order (a dictionary passes straight in).</param>
    /// <param name="metrics">Which quantities (base names); by default <c>loss</c> and the first metric all runs recorded.</param>
    /// <param name="title">The chart title.</param>
    /// <param name="width">Width in pixels; 480 per panel by default.</param>
    /// <param name="height">Height in pixels.</param>
    /// <exception cref="ArgumentException">No runs, or a requested quantity missing from a run.</exception>
    public static GenericChart Compare(IEnumerable<KeyValuePair<string, History>> runs, IEnumerable<string>? metrics = null,
        string title = "Comparison", int? width = null, int height = 460)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var list = runs.Select(kv => (Name: kv.Key, History: kv.Value)).ToList();
        if (list.Count == 0) throw new ArgumentException("No runs to compare.", nameof(runs));
        foreach (var (name, h) in list)
            if (h is null || h.Count == 0) throw new ArgumentException($"Run '{name}' has no epochs.", nameof(runs));
        var panels = (metrics ?? DefaultComparisonMetrics(list.Select(r => r.History))).ToList();
        if (panels.Count == 0) throw new ArgumentException("Nothing to compare: the runs share no recorded quantity.", nameof(metrics));
        foreach (var m in panels)
            foreach (var (name, h) in list)
                if (!h.Contains(m) && !h.Contains("val_" + m))
                    throw new ArgumentException($"Run '{name}' has no '{m}'. Recorded: {string.Join(", ", h.Keys)}.", nameof(metrics));

        int n = panels.Count;
        var traces = new List<Trace>();
        var layout = Figure.Layout(title, width ?? Math.Max(560, 480 * n), height,
            ("legend", Figure.Obj(("orientation", "h"), ("x", 0.5), ("xanchor", "center"), ("y", -0.2), ("yanchor", "top"))),
            ("margin", Figure.Obj(("l", 70), ("r", 30), ("t", 100), ("b", 120))));
        var annotations = new List<object>();
        int maxEpochs = list.Max(r => r.History.Count);
        string headline = panels[^1]; // the metric (accuracy) when there is one: what the legend quotes
        for (int i = 0; i < n; i++)
        {
            string id = Figure.Id(i), key = panels[i];
            var (from, to) = Figure.Domain(i, n, 0.1);
            layout.SetProperty("xaxis" + id, Figure.Axis(("title", Figure.Title("epoch", standoff: 6)), ("domain", new[] { from, to }), ("anchor", "y" + id),
                ("dtick", maxEpochs <= 20 ? 1 : null), ("showline", true), ("linecolor", "#444444"), ("gridcolor", "#eeeeee")));
            layout.SetProperty("yaxis" + id, Figure.Axis(("title", Figure.Title(key)), ("anchor", "x" + id), ("showline", true), ("linecolor", "#444444"),
                ("gridcolor", "#eeeeee"), ("tickformat", key.Contains("acc", StringComparison.OrdinalIgnoreCase) ? ".1%" : null)));
            annotations.Add(Figure.PanelTitle(key, (from + to) / 2, 1.02, 15));
            for (int r = 0; r < list.Count; r++)
            {
                var (name, h) = list[r];
                var color = Figure.Palette[r % Figure.Palette.Length];
                var epochs = h.Epochs.Select(e => e + 1).ToArray();
                bool hasVal = h.Contains("val_" + key);
                if (hasVal)
                {
                    traces.Add(Figure.Trace("scatter", ("x", epochs), ("y", Figure.Values(h["val_" + key])), ("mode", "lines+markers"),
                        ("name", i == 0 ? name : $"{name} · {key}"), ("legendgroup", name), ("showlegend", i == 0),
                        ("line", Figure.Obj(("color", color), ("width", 2.5))), ("marker", Figure.Obj(("size", 6))),
                        ("xaxis", "x" + id), ("yaxis", "y" + id), ("hovertemplate", $"{name} val_{key} %{{y:.4f}}<extra></extra>")));
                    if (i == 0 && h.Contains("val_" + headline) && BestOf(h["val_" + headline], MetricDirection.LowerIsBetter(headline)) is double bv)
                        traces[^1].SetProperty("name", $"{name} (best val_{headline} {Hosting.NumberFormat.Value(bv)})");
                }
                if (h.Contains(key))
                    traces.Add(Figure.Trace("scatter", ("x", epochs), ("y", Figure.Values(h[key])), ("mode", "lines"),
                        ("name", $"{name} (training)"), ("legendgroup", name), ("showlegend", i == 0 && !hasVal),
                        ("line", Figure.Obj(("color", color), ("width", 1.5), ("dash", "dot"))), ("opacity", 0.8),
                        ("xaxis", "x" + id), ("yaxis", "y" + id), ("hovertemplate", $"{name} {key} %{{y:.4f}}<extra></extra>")));
            }
        }
        annotations.Add(Figure.Obj(("text", "solid: validation · dotted: training"), ("x", 0.5), ("y", 1.1), ("xref", "paper"), ("yref", "paper"),
            ("xanchor", "center"), ("yanchor", "bottom"), ("showarrow", false), ("font", Figure.Obj(("size", 12), ("color", "#555555")))));
        layout.SetProperty("annotations", annotations);
        return Figure.Chart(traces, layout);
    }

    /// <summary>Several trainings side by side, from (name, history) pairs (C# tuples).</summary>
    /// <inheritdoc cref="Compare(IEnumerable{KeyValuePair{string, History}}, IEnumerable{string}?, string, int?, int)"/>
    public static GenericChart Compare(IEnumerable<(string Name, History History)> runs, IEnumerable<string>? metrics = null,
        string title = "Comparison", int? width = null, int height = 460) =>
        Compare(runs.Select(r => KeyValuePair.Create(r.Name, r.History)), metrics, title, width, height);

    /// <summary>Several trainings side by side, from (name, history) pairs (F# tuples: <c>[ "scratch", h1; "frozen", h2 ]</c>).</summary>
    /// <inheritdoc cref="Compare(IEnumerable{KeyValuePair{string, History}}, IEnumerable{string}?, string, int?, int)"/>
    public static GenericChart Compare(IEnumerable<Tuple<string, History>> runs, IEnumerable<string>? metrics = null,
        string title = "Comparison", int? width = null, int height = 460) =>
        Compare(runs.Select(r => KeyValuePair.Create(r.Item1, r.Item2)), metrics, title, width, height);

    /// <summary>The arms of a transfer <see cref="Comparison"/> side by side, titled with each arm's test accuracy.</summary>
    /// <param name="comparison">The comparison (its rows' histories are drawn).</param>
    /// <param name="metrics">Which quantities (base names); by default <c>loss</c> and the first metric.</param>
    /// <param name="title">The chart title.</param>
    public static GenericChart Compare(Comparison comparison, IEnumerable<string>? metrics = null, string title = "Comparison")
    {
        ArgumentNullException.ThrowIfNull(comparison);
        var subtitle = string.Join(" · ", comparison.Rows.Select(r => $"{r.Name} {Figure.Num(r.Accuracy * 100, "0.0")}%"));
        return Compare(comparison.Rows.Select(r => KeyValuePair.Create(r.Name, r.History)), metrics,
            comparison.Rows.Count == 0 ? title : $"{title}<br><sup>test accuracy: {subtitle}</sup>");
    }

    static IEnumerable<string> DefaultComparisonMetrics(IEnumerable<History> histories)
    {
        var common = histories.Select(h => BaseMetrics(h)).Aggregate((a, b) => a.Intersect(b).ToList());
        return common.Where(k => k == "loss").Concat(common.Where(k => k != "loss").Take(1)).ToList();
    }

    static double? BestOf(IEnumerable<double> values, bool lower)
    {
        var finite = values.Where(double.IsFinite).ToList();
        return finite.Count == 0 ? null : lower ? finite.Min() : finite.Max();
    }
}
