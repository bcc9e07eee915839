using System.Net;
using System.Text;
using Plotly.NET;

namespace TransferNotebooks.Charts;

/// <summary>
/// Charts as HTML that works offline: plotly.js comes from Plotly.NET's own assembly (it ships plotly.js as an embedded
/// resource), so pages need no CDN. A page or report inlines exactly one copy, whatever the number of charts.
/// </summary>
public static class ChartHtml
{
    static readonly Lazy<(string Version, string Source)> Js = new(LoadPlotlyJs);

    /// <summary>The version of the embedded plotly.js (for example <c>2.28.0</c>).</summary>
    public static string PlotlyJsVersion => Js.Value.Version;

    /// <summary>The minified plotly.js source carried by Plotly.NET.</summary>
    public static string PlotlyJs => Js.Value.Source;

    /// <summary>
    /// One inline <c>&lt;script&gt;</c> defining <c>window.Plotly</c>, with AMD/CommonJS loaders hidden so it also works in
    /// notebook front ends that load require.js. Put it once per page, before or after the chart fragments.
    /// </summary>
    public static string PlotlyScript() =>
        "<script type=\"text/javascript\">(function(define, module, exports){" + PlotlyJs.Replace("</script", "<\\/script", StringComparison.OrdinalIgnoreCase)
        + "\n}).call(window, undefined, undefined, undefined);</script>";

    /// <summary>The chart's plotly.js figure (<c>data</c>, <c>layout</c>, <c>config</c>) as JSON.</summary>
    public static string FigureJson(GenericChart chart)
    {
        ArgumentNullException.ThrowIfNull(chart);
        return GenericChart.toJson(chart);
    }

    /// <summary>
    /// A <c>&lt;div&gt;</c> and the script that draws the chart into it once <c>window.Plotly</c> exists (it waits up to 20 s for a
    /// <see cref="PlotlyScript"/> elsewhere on the page). Contains no plotly.js itself.
    /// </summary>
    public static string Fragment(GenericChart chart, string? id = null)
    {
        id ??= "tn-chart-" + Guid.NewGuid().ToString("N")[..12];
        var json = FigureJson(chart).Replace("</", "<\\/", StringComparison.Ordinal);
        var safeId = WebUtility.HtmlEncode(id);
        return $"<div id=\"{safeId}\" class=\"tn-chart\"></div>\n<script type=\"text/javascript\">(function(){{var fig={json};"
            + $"var draw=function(){{window.Plotly.newPlot('{safeId}',fig.data,fig.layout||{{}},fig.config||{{responsive:true}});}};"
            + "if(window.Plotly){draw();}else{var n=0,t=setInterval(function(){if(window.Plotly||++n>400){clearInterval(t);if(window.Plotly)draw();}},50);}})();</script>";
    }

    /// <summary>A complete, self-contained HTML page showing the chart (one inline copy of plotly.js; opens offline).</summary>
    public static string Page(GenericChart chart, string title = "Chart")
    {
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>").Append(WebUtility.HtmlEncode(title)).Append("</title>\n")
            .Append(PlotlyScript()).Append("\n</head><body style=\"margin:0;background:white\">\n").Append(Fragment(chart, "chart")).Append("\n</body></html>\n");
        return sb.ToString();
    }

    static (string, string) LoadPlotlyJs()
    {
        var assembly = typeof(GenericChart).Assembly;
        var name = assembly.GetManifestResourceNames()
            .FirstOrDefault(n => n.StartsWith("Plotly.NET.plotly-", StringComparison.Ordinal) && n.EndsWith(".min.js", StringComparison.Ordinal))
            ?? throw new InvalidOperationException("Plotly.NET carries no embedded plotly.js (resource Plotly.NET.plotly-*.min.js); this Plotly.NET version is not supported.");
        using var stream = assembly.GetManifestResourceStream(name)!;
        using var reader = new StreamReader(stream);
        var version = name["Plotly.NET.plotly-".Length..^".min.js".Length];
        return (version, reader.ReadToEnd());
    }
}
