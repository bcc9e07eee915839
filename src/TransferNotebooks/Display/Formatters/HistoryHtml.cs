using TransferNotebooks.Charts;
using TransferNotebooks.Frames;
using TransferNotebooks.Training;

namespace TransferNotebooks.Display.Formatters;

/// <summary>A training <see cref="History"/> as its learning-curve chart above the table of epochs.</summary>
public static class HistoryHtml
{
    /// <summary>
    /// The live learning-curve chart the notebook progress display shows above its table (the renderer behind
    /// <see cref="Training.Callbacks.ProgressBar.EpochChartRenderer"/>): null before the first epoch.
    /// </summary>
    /// <param name="soFar">The epochs so far.</param>
    /// <param name="includePlotlyJs">Inline plotly.js in this fragment (once per session is enough).</param>
    public static string? LiveChart(History soFar, bool includePlotlyJs = false)
    {
        ArgumentNullException.ThrowIfNull(soFar);
        if (soFar.Count == 0) return null;
        return (includePlotlyJs ? ChartHtml.PlotlyScript() : "") + ChartHtml.Fragment(Plot.LearningCurves(soFar, height: 380));
    }

    /// <summary>The history as HTML: the chart (a fragment that needs plotly.js on the page, see <see cref="ChartHtml"/>) and the table.</summary>
    /// <param name="history">The history.</param>
    /// <param name="includePlotlyJs">Inline plotly.js in this fragment (once per page is enough).</param>
    public static string Render(History history, bool includePlotlyJs = false)
    {
        ArgumentNullException.ThrowIfNull(history);
        if (history.Count == 0) return "<div class=\"tn-history\"><i>History: no epochs recorded.</i></div>";
        var chart = ChartHtml.Fragment(Plot.LearningCurves(history));
        var table = FrameHtml.Render(history.ToFrame(), maxRows: 30, caption: $"History: {history.Count} epochs", rowKeyName: "epoch");
        return "<div class=\"tn-history\">" + (includePlotlyJs ? ChartHtml.PlotlyScript() : "") + chart + table + "</div>";
    }
}
