using System.Reflection;
using System.Text;
using System.Text.Json.Nodes;

namespace TransferNotebooks.Kernel.Display;

/// <summary>
/// Plotly.NET charts, offline: <c>application/vnd.plotly.v1+json</c> plus HTML that draws the figure with plotly.js.
/// plotly.js comes from Plotly.NET's own assembly (an embedded resource) and is inlined once per kernel session.
/// Found by reflection so the kernel does not depend on Plotly.NET.
/// </summary>
public static class PlotlyRenderer
{
    static int inlined;

    /// <summary>The bundle for a GenericChart, or null for anything else.</summary>
    public static JsonObject? TryRender(object value)
    {
        var type = value.GetType();
        while (type is not null && type.FullName != "Plotly.NET.GenericChart") type = type.BaseType;
        if (type is null) return null;
        var toJson = type.GetMethod("toFigureJson", BindingFlags.Public | BindingFlags.Static, [type]);
        if (toJson?.Invoke(null, [value]) is not string json) return null;
        var figure = JsonNode.Parse(json) as JsonObject ?? [];
        var id = "tn-plot-" + Guid.NewGuid().ToString("N");
        var html = new StringBuilder();
        if (Interlocked.Exchange(ref inlined, 1) == 0 && PlotlyJs(type.Assembly) is { } js)
            // Hide AMD/CommonJS loaders so the bundle sets window.Plotly in every front end.
            html.Append("<script type=\"text/javascript\">(function(define, module, exports){").Append(js.Replace("</script", "<\\/script"))
                .Append("\n}).call(window, undefined, undefined, undefined);</script>\n");
        var safeJson = json.Replace("</", "<\\/");
        html.Append($"<div id=\"{id}\"></div>\n<script type=\"text/javascript\">(function(){{var fig={safeJson};")
            .Append($"var draw=function(){{window.Plotly.newPlot('{id}',fig.data,fig.layout||{{}},fig.config||{{responsive:true}});}};")
            .Append("if(window.Plotly){draw();}else{var n=0,t=setInterval(function(){if(window.Plotly||++n>200){clearInterval(t);if(window.Plotly)draw();}},50);}})();</script>");
        return new JsonObject
        {
            ["text/html"] = html.ToString(),
            ["application/vnd.plotly.v1+json"] = figure,
            ["text/plain"] = "Plotly chart",
        };
    }

    static string? PlotlyJs(Assembly plotly)
    {
        var name = plotly.GetManifestResourceNames().FirstOrDefault(n => n.StartsWith("Plotly.NET.plotly", StringComparison.Ordinal) && n.EndsWith(".min.js", StringComparison.Ordinal));
        if (name is null) return null;
        using var stream = plotly.GetManifestResourceStream(name);
        if (stream is null) return null;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
