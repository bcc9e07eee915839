using System.Globalization;
using DynamicObj;
using Plotly.NET;
using Plotly.NET.LayoutObjects;

namespace TransferNotebooks.Charts;

/// <summary>
/// Small internal builders over Plotly.NET's dynamic objects, so that chart code reads as plotly.js figure JSON and the
/// result is an ordinary <see cref="GenericChart"/> (F# users keep piping it into <c>Chart.with...</c> functions).
/// </summary>
internal static class Figure
{
    /// <summary>Colours for train / validation / extra series and for runs (Tableau 10, the plotly/matplotlib default).</summary>
    internal static readonly string[] Palette =
        ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];

    /// <summary>White to dark blue (matplotlib's Blues): plotly.js's own "Blues" runs the other way, dark for zero.</summary>
    internal static readonly object[][] Blues =
        [[0.0, "#f7fbff"], [0.125, "#deebf7"], [0.25, "#c6dbef"], [0.375, "#9ecae1"], [0.5, "#6baed6"], [0.625, "#4292c6"], [0.75, "#2171b5"], [0.875, "#08519c"], [1.0, "#08306b"]];

    internal const string Font = "DejaVu Sans, Arial, sans-serif";

    /// <summary>Sets every non-null property on <paramref name="obj"/>.</summary>
    internal static T Set<T>(this T obj, params (string Key, object? Value)[] properties) where T : DynamicObj.DynamicObj
    {
        foreach (var (key, value) in properties)
            if (value is not null) obj.SetProperty(key, value);
        return obj;
    }

    /// <summary>A plain JSON object (nested parts of traces and layouts).</summary>
    internal static Dictionary<string, object> Obj(params (string Key, object? Value)[] properties)
    {
        var d = new Dictionary<string, object>(StringComparer.Ordinal);
        foreach (var (key, value) in properties)
            if (value is not null) d[key] = value;
        return d;
    }

    internal static Trace Trace(string type, params (string Key, object? Value)[] properties) => new Trace2D(type).Set(properties);

    internal static Title Title(string text, int? size = null, int? standoff = null) =>
        new Title().Set(("text", text), ("font", size is int s ? Obj(("size", s)) : null), ("standoff", standoff));

    /// <summary>A cartesian axis (a Plotly.NET LinearAxis, so Chart.withXAxisStyle and friends merge into it).</summary>
    internal static LinearAxis Axis(params (string Key, object? Value)[] properties) =>
        new LinearAxis().Set(("automargin", true), ("zeroline", false)).Set(properties);

    /// <summary>The layout every chart starts from: title, font, white background, legend.</summary>
    internal static Layout Layout(string? title, int width, int height, params (string Key, object? Value)[] properties) =>
        new Layout().Set(
            ("title", title is null ? null : Obj(("text", title), ("x", 0.5), ("xanchor", "center"), ("font", Obj(("size", 18))))),
            ("font", Obj(("family", Font), ("size", 13))),
            ("width", width), ("height", height),
            ("paper_bgcolor", "white"), ("plot_bgcolor", "white"),
            ("margin", Obj(("l", 70), ("r", 40), ("t", title is null ? 40 : 80), ("b", 70))))
        .Set(properties);

    /// <summary>A chart from traces and a layout.</summary>
    internal static GenericChart Chart(IEnumerable<Trace> traces, Layout layout)
    {
        var chart = GenericChart.ofTraceObjects(true, traces.ToList());
        return GenericChart.setLayout(layout, chart);
    }

    /// <summary>The subplot axis id suffix: "" for the first, "2", "3", ... after.</summary>
    internal static string Id(int index) => index == 0 ? "" : (index + 1).ToString(CultureInfo.InvariantCulture);

    /// <summary>Horizontal domains for <paramref name="count"/> side-by-side panels with a gap between them.</summary>
    internal static (double From, double To) Domain(int index, int count, double gap)
    {
        double width = (1.0 - gap * (count - 1)) / count;
        double from = index * (width + gap);
        return (Math.Round(from, 6), Math.Round(Math.Min(1, from + width), 6));
    }

    /// <summary>A grid axis grid: row-major cells with gaps; returns (x domain, y domain) with row 0 at the top.</summary>
    internal static ((double, double) X, (double, double) Y) Cell(int index, int columns, int rows, double xGap, double yGap)
    {
        int r = index / columns, c = index % columns;
        var x = Domain(c, columns, xGap);
        var yFromBottom = Domain(rows - 1 - r, rows, yGap);
        return (x, yFromBottom);
    }

    /// <summary>A subplot title placed above a panel (paper coordinates).</summary>
    internal static Dictionary<string, object> PanelTitle(string text, double xCentre, double yTop, int size = 14, string? color = null) =>
        Obj(("text", text), ("x", xCentre), ("y", yTop), ("xref", "paper"), ("yref", "paper"), ("xanchor", "center"), ("yanchor", "bottom"),
            ("showarrow", false), ("font", Obj(("size", size), ("color", color))));

    /// <summary>NaN as JSON null (plotly leaves a gap), other values as they are.</summary>
    internal static object?[] Values(IEnumerable<double> values) => values.Select(v => double.IsFinite(v) ? (object?)v : null).ToArray();

    internal static string Num(double v, string format = "0.####") => v.ToString(format, CultureInfo.InvariantCulture);
}
