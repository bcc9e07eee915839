using Plotly.NET;
using TransferNotebooks.Charts;

namespace TransferNotebooks.Display.Formatters;

/// <summary>A <see cref="GenericChart"/> as notebook HTML: the drawing fragment, with plotly.js inlined when asked (first chart of a session).</summary>
public static class ChartFormatterHtml
{
    /// <summary>The chart as HTML.</summary>
    /// <param name="chart">The chart.</param>
    /// <param name="includePlotlyJs">Inline plotly.js (works offline; once per notebook session is enough).</param>
    public static string Render(GenericChart chart, bool includePlotlyJs = false) =>
        (includePlotlyJs ? ChartHtml.PlotlyScript() : "") + ChartHtml.Fragment(chart);
}
