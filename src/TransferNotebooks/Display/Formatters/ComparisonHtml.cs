using TransferNotebooks.Charts;
using TransferNotebooks.Frames;
using TransferNotebooks.Transfer;

namespace TransferNotebooks.Display.Formatters;

/// <summary>A transfer <see cref="Comparison"/> as its table of arms and the comparison chart of their histories.</summary>
public static class ComparisonHtml
{
    /// <summary>The comparison as HTML (the chart needs plotly.js on the page unless <paramref name="includePlotlyJs"/>).</summary>
    public static string Render(Comparison comparison, bool includePlotlyJs = false)
    {
        ArgumentNullException.ThrowIfNull(comparison);
        var table = FrameHtml.Render(comparison.ToFrame(), caption: $"Comparison on {comparison.Test.Count:N0} test samples", rowKeyName: "arm");
        if (comparison.Rows.Count == 0 || comparison.Rows.Any(r => r.History.Count == 0)) return table;
        return (includePlotlyJs ? ChartHtml.PlotlyScript() : "") + ChartHtml.Fragment(Plot.Compare(comparison)) + table;
    }
}
