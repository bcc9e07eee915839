using Plotly.NET;
using TransferNotebooks.Training;

namespace TransferNotebooks.Charts;

/// <summary><c>history.Plot()</c>: the learning curves straight from what <c>Fit</c> returned (pandas' <c>pd.DataFrame(history.history).plot()</c>).</summary>
public static class HistoryPlotExtensions
{
    /// <summary>The learning curves of <paramref name="history"/> (see <see cref="Charts.Plot.LearningCurves"/>).</summary>
    /// <param name="history">What <c>Fit</c> returned.</param>
    /// <param name="title">The chart title.</param>
    /// <param name="metrics">Which quantities to draw; all recorded ones by default.</param>
    public static GenericChart Plot(this History history, string title = "Learning curves", IEnumerable<string>? metrics = null) =>
        Charts.Plot.LearningCurves(history, title, metrics);
}
