using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using TransferNotebooks.Hosting;

namespace TransferNotebooks.Training.Callbacks;

/// <summary>
/// Training progress, added by Fit when verbose &gt; 0 (Keras's ProgbarLogger). In a terminal: one line per epoch updated in
/// place (bar, batch count, ETA, running loss and metrics). When output is redirected (CI, logs) or verbose is 2: one plain line
/// per epoch, never a flood. In a notebook host: one display per Fit, updated in place with a bar and the table of epochs.
/// </summary>
public sealed class ProgressBar : Callback
{
    readonly TextWriter? writer;
    readonly bool? interactiveOverride;
    readonly int? widthOverride;
    readonly List<(int Epoch, IReadOnlyDictionary<string, double> Logs, double Seconds)> rows = [];
    readonly Stopwatch epochClock = new();
    TimeSpan lastDraw;
    int epoch;
    IDisplayHandle? display;

    /// <summary>Creates the bar. Tests pass a writer, whether it is a terminal, and its width.</summary>
    public ProgressBar(TextWriter? writer = null, bool? interactive = null, int? width = null)
    {
        this.writer = writer;
        interactiveOverride = interactive;
        widthOverride = width;
    }

    /// <summary>Minimum time between redraws of the in-place line.</summary>
    public TimeSpan RefreshInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    TextWriter Out => writer ?? Console.Out;
    bool Notebook => writer is null && DisplayHost.Current.IsNotebook;
    bool Interactive => interactiveOverride ?? (!Console.IsOutputRedirected && Params.Verbose == 1);
    int Width => Math.Max(40, widthOverride ?? (Console.IsOutputRedirected ? 100 : SafeWindowWidth()));

    static int SafeWindowWidth()
    {
        try { return Console.WindowWidth > 0 ? Console.WindowWidth : 100; }
        catch (IOException) { return 100; }
    }

    /// <inheritdoc />
    public override void OnTrainBegin(Logs logs)
    {
        rows.Clear();
        display = null;
        if (Notebook && Params.Verbose > 0) display = DisplayHost.Current.Show(Render(null, 0));
    }

    /// <inheritdoc />
    public override void OnEpochBegin(int epoch, Logs logs)
    {
        this.epoch = epoch;
        epochClock.Restart();
        lastDraw = TimeSpan.Zero;
    }

    /// <inheritdoc />
    public override void OnTrainBatchEnd(int batch, Logs logs)
    {
        if (Params.Verbose != 1) return;
        bool last = batch + 1 == Params.Steps;
        if (last || epochClock.Elapsed - lastDraw < RefreshInterval) return;
        lastDraw = epochClock.Elapsed;
        if (display is not null) display.Update(Render(logs.Values, batch + 1));
        else if (Interactive) Out.Write("\r" + Fit(Line(batch + 1, logs.Values, final: false)));
    }

    /// <inheritdoc />
    public override void OnEpochEnd(int epoch, Logs logs)
    {
        var seconds = epochClock.Elapsed.TotalSeconds;
        rows.Add((epoch, logs.Values, seconds));
        if (display is not null) { display.Update(Render(null, Params.Steps)); return; }
        var line = Line(Params.Steps, logs.Values, final: true);
        if (Interactive) Out.Write("\r" + Fit(line).PadRight(Math.Min(Width - 1, 200)) + Environment.NewLine);
        else Out.WriteLine(line);
    }

    string Fit(string line) => line.Length < Width ? line : line[..(Width - 1)];

    string Line(int done, IReadOnlyDictionary<string, double> logs, bool final)
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"Epoch {epoch + 1}/{Params.Epochs} ");
        int steps = Params.Steps;
        if (Interactive)
        {
            const int barWidth = 20;
            int filled = steps == 0 ? barWidth : done * barWidth / steps;
            sb.Append(CultureInfo.InvariantCulture, $"{done.ToString(CultureInfo.InvariantCulture).PadLeft(steps.ToString(CultureInfo.InvariantCulture).Length)}/{steps} [");
            sb.Append('=', Math.Max(0, filled - (final ? 0 : 1))).Append(final ? "" : ">").Append('.', barWidth - filled).Append("] ");
        }
        var elapsed = epochClock.Elapsed.TotalSeconds;
        if (final) sb.Append(CultureInfo.InvariantCulture, $"{elapsed:0.0}s {elapsed * 1000 / Math.Max(1, steps):0}ms/step");
        else sb.Append(CultureInfo.InvariantCulture, $"ETA {elapsed / Math.Max(1, done) * (steps - done):0}s");
        foreach (var (k, v) in logs)
            if (k != "learning_rate") sb.Append(CultureInfo.InvariantCulture, $" - {k}: {v:0.0000}");
        return sb.ToString();
    }

    MimeBundle Render(IReadOnlyDictionary<string, double>? running, int done)
    {
        var html = new StringBuilder("<div class=\"tn-progress\">");
        int steps = Math.Max(1, Params.Steps);
        int currentEpoch = rows.Count > 0 && done == Params.Steps ? rows[^1].Epoch + 1 : epoch + 1;
        html.Append(CultureInfo.InvariantCulture, $"<div>Epoch {currentEpoch}/{Params.Epochs}: <progress value=\"{done}\" max=\"{steps}\"></progress> {done}/{steps}");
        if (running is not null)
            foreach (var (k, v) in running) html.Append(CultureInfo.InvariantCulture, $" &middot; {WebUtility.HtmlEncode(k)} {v:0.0000}");
        html.Append("</div>");
        if (rows.Count > 0)
        {
            var keys = rows.SelectMany(r => r.Logs.Keys).Distinct().ToList();
            html.Append("<table><thead><tr><th>epoch</th>");
            foreach (var k in keys) html.Append("<th>").Append(WebUtility.HtmlEncode(k)).Append("</th>");
            html.Append("<th>seconds</th></tr></thead><tbody>");
            foreach (var r in rows)
            {
                html.Append(CultureInfo.InvariantCulture, $"<tr><td>{r.Epoch + 1}</td>");
                foreach (var k in keys) html.Append(CultureInfo.InvariantCulture, $"<td>{(r.Logs.TryGetValue(k, out var v) ? v.ToString("0.0000", CultureInfo.InvariantCulture) : "")}</td>");
                html.Append(CultureInfo.InvariantCulture, $"<td>{r.Seconds:0.0}</td></tr>");
            }
            html.Append("</tbody></table>");
        }
        html.Append("</div>");
        var plain = rows.Count > 0 ? string.Join(Environment.NewLine, rows.Select(r => $"Epoch {r.Epoch + 1}: " + string.Join(" - ", r.Logs.Select(kv => $"{kv.Key}: {kv.Value:0.0000}")))) : "training...";
        return MimeBundle.Html(html.ToString(), plain);
    }
}
