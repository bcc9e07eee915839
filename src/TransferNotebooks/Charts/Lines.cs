using Plotly.NET;

namespace TransferNotebooks.Charts;

public static partial class Plot
{
    /// <summary>
    /// A plain line chart of named series of (x, y) points, for results that are not per-epoch histories (for example test
    /// accuracy against the number of labelled examples per class, one line per training method).
    /// </summary>
    /// <param name="series">Name and points of each line, in legend order.</param>
    /// <param name="title">The chart title.</param>
    /// <param name="xTitle">The x axis label.</param>
    /// <param name="yTitle">The y axis label.</param>
    /// <param name="logX">A logarithmic x axis (budgets such as 10, 100, 1000).</param>
    /// <param name="percentY">Format the y axis as percentages (for accuracies in 0..1).</param>
    public static GenericChart Lines(IEnumerable<KeyValuePair<string, IEnumerable<(double X, double Y)>>> series, string title,
        string xTitle, string yTitle, bool logX = false, bool percentY = false)
    {
        ArgumentNullException.ThrowIfNull(series);
        var list = series.Select(s => KeyValuePair.Create(s.Key, s.Value.ToList())).ToList();
        // On a log axis plotly labels minor ticks with their first digit only (5, 2, 5 for 5, 20, 50): label the data's x values instead.
        var xs = list.SelectMany(s => s.Value.Select(p => p.X)).Distinct().Order().ToArray();
        var traces = list.Select((s, i) =>
        {
            var points = s.Value.OrderBy(p => p.X).ToList();
            return Figure.Trace("scatter", ("x", points.Select(p => p.X).ToArray()), ("y", Figure.Values(points.Select(p => p.Y))), ("mode", "lines+markers"),
                ("name", s.Key), ("line", Figure.Obj(("color", Figure.Palette[i % Figure.Palette.Length]), ("width", 2.5))), ("marker", Figure.Obj(("size", 8))));
        }).ToList();
        var layout = Figure.Layout(title, 760, 460,
            ("xaxis", Figure.Axis(("title", Figure.Title(xTitle)), ("type", logX ? "log" : null), ("tickvals", logX && xs.Length <= 12 ? xs : null), ("showline", true), ("linecolor", "#444444"), ("gridcolor", "#eeeeee"))),
            ("yaxis", Figure.Axis(("title", Figure.Title(yTitle)), ("tickformat", percentY ? ".0%" : null), ("showline", true), ("linecolor", "#444444"), ("gridcolor", "#eeeeee"))),
            ("legend", Figure.Obj(("orientation", "h"), ("x", 0.5), ("xanchor", "center"), ("y", -0.2), ("yanchor", "top"))),
            ("margin", Figure.Obj(("l", 70), ("r", 30), ("t", 80), ("b", 110))));
        return Figure.Chart(traces, layout);
    }
}
