using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using TransferNotebooks.Hosting;

namespace TransferNotebooks.Training.Callbacks;

/// <summary>
/// Training progress, added by Fit when verbose &gt; 0 (Keras's ProgbarLogger); one passed in <c>callbacks</c> replaces the
/// default one. Verbose 1 in a terminal: one line per epoch, redrawn in place with carriage returns (bar, batch count, ETA,
/// running loss and metrics, at most every <see cref="RefreshInterval"/>), never wider than the terminal. Verbose 2, or output
/// that is not a terminal (CI, logs, a writer): exactly one plain line per epoch, no carriage returns. In a notebook host: one
/// display per Fit, updated in place with the bar and the table of epochs so far (and a chart when
/// <see cref="EpochChartRenderer"/> is set). Verbose 0: nothing.
/// </summary>
/// <remarks>Lives in Training/ and writes only through Hosting/ (never Display/), so training code does not depend on formatters.</remarks>
public sealed class ProgressBar : Callback
{
    enum Mode { Silent, Lines, Terminal, Notebook }

    readonly TextWriter? writer;
    readonly bool? interactiveOverride;
    readonly int? widthOverride;
    readonly int? verboseOverride;
    readonly IDisplayHost? hostOverride;
    readonly Stopwatch epochClock = new();
    History soFar = new();
    Mode mode;
    int verbose;
    TimeSpan lastDraw;
    int epoch, done, lastLength;
    IDisplayHandle? display;
    string? chartHtml;
    bool chartFailed;

    /// <summary>Creates the progress display.</summary>
    /// <param name="writer">Where console output goes (standard output by default). A writer other than the console is not a
    /// terminal unless <paramref name="interactive"/> says so.</param>
    /// <param name="interactive">Whether the output is a terminal that honours carriage returns (default: detected).</param>
    /// <param name="width">The terminal width in characters (default: detected, 100 when unknown); lines stay shorter.</param>
    /// <param name="verbose">1 = bar, 2 = one line per epoch, 0 = nothing (default: Fit's verbose).</param>
    /// <param name="host">The display host for notebook output (default: <see cref="DisplayHost.Current"/> when no writer is given).</param>
    public ProgressBar(TextWriter? writer = null, bool? interactive = null, int? width = null, int? verbose = null, IDisplayHost? host = null)
    {
        if (width is < 20) throw new ArgumentOutOfRangeException(nameof(width), width, "width must be at least 20 characters.");
        if (verbose is < 0 or > 2) throw new ArgumentOutOfRangeException(nameof(verbose), verbose, "verbose is 0, 1 or 2.");
        this.writer = writer;
        interactiveOverride = interactive;
        widthOverride = width;
        verboseOverride = verbose;
        hostOverride = host;
    }

    /// <summary>Minimum time between redraws within an epoch; null means 100 ms in a terminal and 500 ms in a notebook.</summary>
    public TimeSpan? RefreshInterval { get; init; }

    /// <summary>
    /// Extension point for the live learning-curve chart in notebooks: given the epochs so far, returns an HTML fragment shown
    /// above the table (null for none). Called once per epoch end, never per batch. Set by the Display/Charts code at start-up;
    /// null by default, so Training never depends on charts. An exception from it is shown once in place of the chart and does
    /// not stop training.
    /// </summary>
    public static Func<History, string?>? EpochChartRenderer { get; set; }

    TextWriter Out => writer ?? Console.Out;

    int Width => widthOverride ?? (writer is null && !Console.IsOutputRedirected ? SafeWindowWidth() : 100);

    static int SafeWindowWidth()
    {
        try { return Console.WindowWidth >= 20 ? Console.WindowWidth : 100; }
        catch (IOException) { return 100; }
    }

    /// <inheritdoc />
    public override void OnTrainBegin(Logs logs)
    {
        verbose = verboseOverride ?? Params.Verbose;
        var host = hostOverride ?? (writer is null ? DisplayHost.Current : null);
        mode = verbose == 0 ? Mode.Silent
            : host is { IsNotebook: true } ? Mode.Notebook
            : verbose == 1 && (interactiveOverride ?? (writer is null && !Console.IsOutputRedirected)) ? Mode.Terminal
            : Mode.Lines;
        soFar = new History();
        epoch = Params.InitialEpoch;
        done = 0;
        chartHtml = null;
        chartFailed = false;
        display = mode == Mode.Notebook ? host!.Show(Render(null)) : null;
    }

    /// <inheritdoc />
    public override void OnEpochBegin(int epoch, Logs logs)
    {
        this.epoch = epoch;
        done = 0;
        lastLength = 0;
        epochClock.Restart();
        lastDraw = TimeSpan.Zero;
    }

    /// <inheritdoc />
    public override void OnTrainBatchEnd(int batch, Logs logs)
    {
        done = batch + 1;
        if (verbose != 1 || mode is Mode.Silent or Mode.Lines) return;
        var interval = RefreshInterval ?? TimeSpan.FromMilliseconds(mode == Mode.Notebook ? 500 : 100);
        var now = epochClock.Elapsed;
        if (done == Params.Steps || (now - lastDraw < interval && done > 1)) return;
        lastDraw = now;
        if (mode == Mode.Notebook) display!.Update(Render(logs.Values));
        else Redraw(TerminalLine(logs.Values, final: false));
    }

    /// <inheritdoc />
    public override void OnEpochEnd(int epoch, Logs logs)
    {
        double seconds = epochClock.Elapsed.TotalSeconds;
        soFar.Append(epoch, new Dictionary<string, double>(logs.Values) { ["seconds"] = seconds });
        switch (mode)
        {
            case Mode.Notebook:
                RenderChart();
                display!.Update(Render(null));
                break;
            case Mode.Terminal:
                Redraw(TerminalLine(logs.Values, final: true));
                Out.WriteLine();
                Out.Flush();
                break;
            case Mode.Lines:
                Out.WriteLine(PlainLine(logs.Values, seconds));
                Out.Flush();
                break;
        }
    }

    /// <summary>Writes <paramref name="line"/> over the current one: carriage return, text, and blanks over any longer leftover.</summary>
    void Redraw(string line)
    {
        int pad = Math.Max(0, lastLength - line.Length);
        Out.Write("\r" + line + new string(' ', pad));
        lastLength = line.Length;
        Out.Flush();
    }

    /// <summary>The in-place line, never longer than the width minus one (so the terminal never wraps it).</summary>
    internal string TerminalLine(IReadOnlyDictionary<string, double> logs, bool final)
    {
        int max = Width - 1, steps = Params.Steps;
        string head = string.Create(CultureInfo.InvariantCulture, $"Epoch {epoch + 1}/{Params.Epochs} ");
        string count = string.Create(CultureInfo.InvariantCulture, $" {done.ToString(CultureInfo.InvariantCulture).PadLeft(steps.ToString(CultureInfo.InvariantCulture).Length)}/{steps}");
        double elapsed = epochClock.Elapsed.TotalSeconds;
        string timing = final ? $" {Seconds(elapsed)} {PerStep(elapsed, done)}" : $" ETA {Eta(elapsed / Math.Max(1, done) * (steps - done))}";
        string values = Values(logs);
        // A fixed bar width for the whole run (a quarter of the width, 10 to 30), so the bar does not jump when the final line
        // adds validation values; what does not fit is cut at the right edge.
        int barWidth = Math.Clamp(max / 4, 10, 30);
        int filled = steps == 0 ? barWidth : (int)((long)done * barWidth / steps);
        var bar = new StringBuilder("[");
        if (final || filled >= barWidth) bar.Append('=', final ? barWidth : filled).Append('.', final ? 0 : barWidth - filled);
        else bar.Append('=', Math.Max(0, filled - 1)).Append('>').Append('.', barWidth - Math.Max(1, filled));
        bar.Append(']');
        var line = head + bar + count + timing + values;
        return line.Length <= max ? line : line[..max];
    }

    string PlainLine(IReadOnlyDictionary<string, double> logs, double seconds) =>
        string.Create(CultureInfo.InvariantCulture, $"Epoch {epoch + 1}/{Params.Epochs} - {done}/{Params.Steps} - {Seconds(seconds)} - {PerStep(seconds, done)}") + Values(logs);

    static string Values(IReadOnlyDictionary<string, double> logs)
    {
        var sb = new StringBuilder();
        foreach (var (k, v) in logs)
            if (k != "learning_rate") sb.Append(" - ").Append(k).Append(": ").Append(Number(v));
        return sb.ToString();
    }

    /// <summary>Keras's four decimals, switching to scientific notation for very large or very small values (<see cref="NumberFormat.Value"/>).</summary>
    internal static string Number(double v) => NumberFormat.Value(v);

    static string Seconds(double s) => NumberFormat.Seconds(s);

    static string PerStep(double seconds, int steps)
    {
        double perStep = seconds / Math.Max(1, steps);
        return perStep >= 1 ? perStep.ToString("0.0", CultureInfo.InvariantCulture) + "s/step"
            : perStep >= 1e-3 ? (perStep * 1e3).ToString("0", CultureInfo.InvariantCulture) + "ms/step"
            : (perStep * 1e6).ToString("0", CultureInfo.InvariantCulture) + "us/step";
    }

    static string Eta(double s) => NumberFormat.Clock(s);

    void RenderChart()
    {
        if (EpochChartRenderer is not { } renderer || chartFailed) return;
        try { chartHtml = renderer(soFar); }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            chartFailed = true;
            chartHtml = $"<div class=\"tn-chart-error\">The learning-curve chart failed: {WebUtility.HtmlEncode(e.Message)}</div>";
        }
    }

    /// <summary>A value of the epoch table: the number itself, or "NaN" spelled out (a table leaves NaN blank as missing; a diverged loss must show).</summary>
    static object Cell(double v) => double.IsNaN(v) ? "NaN" : v;

    MimeBundle Render(IReadOnlyDictionary<string, double>? running)
    {
        int steps = Math.Max(1, Params.Steps);
        bool between = soFar.Count > 0 && running is null;
        int shownEpoch = between ? soFar.Epochs[^1] + 1 : epoch + 1;
        int shownDone = between ? done : running is null ? 0 : done;
        var html = new StringBuilder("<div class=\"tn-progress\">");
        html.Append(CultureInfo.InvariantCulture, $"<div>Epoch {shownEpoch}/{Params.Epochs} <progress value=\"{shownDone}\" max=\"{steps}\" style=\"width:20em\"></progress> {shownDone}/{steps}");
        if (running is not null)
        {
            double elapsed = epochClock.Elapsed.TotalSeconds;
            html.Append(CultureInfo.InvariantCulture, $" &middot; ETA {Eta(elapsed / Math.Max(1, done) * (Params.Steps - done))}");
            foreach (var (k, v) in running) html.Append(CultureInfo.InvariantCulture, $" &middot; {WebUtility.HtmlEncode(k)} {Number(v)}");
        }
        html.Append("</div>");
        if (chartHtml is not null) html.Append(chartHtml);
        if (soFar.Count > 0)
        {
            // The library's one table (and number format): the same look as the History table shown after Fit.
            var keys = soFar.Keys;
            var rows = Enumerable.Range(0, soFar.Count).Select(i => (IReadOnlyList<object?>)
                [soFar.Epochs[i] + 1, .. keys.Select(k => soFar[k] is var series && i < series.Count ? Cell(series[i]) : null)]);
            html.Append(HtmlTableMarkup.Render(["epoch", .. keys], rows));
        }
        html.Append("</div>");
        var plain = new StringBuilder();
        for (int i = 0; i < soFar.Count; i++)
        {
            plain.Append(CultureInfo.InvariantCulture, $"Epoch {soFar.Epochs[i] + 1}/{Params.Epochs}");
            foreach (var k in soFar.Keys) if (i < soFar[k].Count) plain.Append(" - ").Append(k).Append(": ").Append(Number(soFar[k][i]));
            plain.AppendLine();
        }
        if (running is not null || soFar.Count == 0) plain.Append(CultureInfo.InvariantCulture, $"Epoch {shownEpoch}/{Params.Epochs} {shownDone}/{steps}");
        return MimeBundle.Html(html.ToString(), plain.ToString().TrimEnd());
    }
}
