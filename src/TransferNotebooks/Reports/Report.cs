using System.Globalization;
using System.Net;
using System.Reflection;
using System.Text;
using Deedle;
using Plotly.NET;
using TransferNotebooks.Charts;
using TransferNotebooks.Data;
using TransferNotebooks.Display.Formatters;
using TransferNotebooks.Frames;
using TransferNotebooks.Models;
using TransferNotebooks.Training;

namespace TransferNotebooks.Reports;

/// <summary>
/// A self-contained HTML report (title, summary figures, text, tables, charts) that opens offline: plotly.js is inlined
/// exactly once, whatever the number of charts. Build it fluently and save it:
/// <c>new Report("MNIST transfer").AddText("...").AddTable(frame).AddChart(chart).Save("report.html")</c>.
/// </summary>
public sealed class Report
{
    readonly List<string> blocks = [];
    int charts;

    /// <summary>Starts a report.</summary>
    /// <param name="title">The page title and main heading.</param>
    /// <param name="subtitle">A line under the title (for example the date or the dataset); none by default.</param>
    public Report(string title, string? subtitle = null)
    {
        Title = title ?? throw new ArgumentNullException(nameof(title));
        Subtitle = subtitle;
    }

    /// <summary>The report's title.</summary>
    public string Title { get; }

    /// <summary>The line under the title.</summary>
    public string? Subtitle { get; }

    /// <summary>How many charts the report holds.</summary>
    public int ChartCount => charts;

    /// <summary>Adds a section heading (level 2 by default, 3 for a sub-section).</summary>
    public Report AddHeading(string text, int level = 2)
    {
        level = Math.Clamp(level, 2, 4);
        blocks.Add($"<h{level}>{Encode(text)}</h{level}>");
        return this;
    }

    /// <summary>Adds text; blank lines separate paragraphs. The text is escaped (use <see cref="AddHtml"/> for markup).</summary>
    public Report AddText(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        foreach (var para in text.Replace("\r\n", "\n", StringComparison.Ordinal).Split("\n\n", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            blocks.Add("<p>" + Encode(para).Replace("\n", "<br>", StringComparison.Ordinal) + "</p>");
        return this;
    }

    /// <summary>Adds raw HTML as it is (nothing is escaped; do not pass untrusted text). Scripts that load remote sources break the offline promise.</summary>
    public Report AddHtml(string html)
    {
        blocks.Add(html ?? throw new ArgumentNullException(nameof(html)));
        return this;
    }

    /// <summary>Adds headline figures as cards (for example <c>("test accuracy", "98.1%")</c>).</summary>
    public Report AddSummary(IEnumerable<KeyValuePair<string, string>> figures)
    {
        ArgumentNullException.ThrowIfNull(figures);
        var sb = new StringBuilder("<div class=\"tn-cards\">");
        foreach (var (label, value) in figures)
            sb.Append("<div class=\"tn-card\"><div class=\"tn-card-value\">").Append(Encode(value)).Append("</div><div class=\"tn-card-label\">").Append(Encode(label)).Append("</div></div>");
        blocks.Add(sb.Append("</div>").ToString());
        return this;
    }

    /// <summary>Adds headline figures as cards, from (label, value) pairs.</summary>
    public Report AddSummary(params (string Label, string Value)[] figures) =>
        AddSummary(figures.Select(f => KeyValuePair.Create(f.Label, f.Value)));

    /// <summary>Adds a Deedle frame as a table.</summary>
    /// <param name="frame">The frame.</param>
    /// <param name="caption">A caption above the table.</param>
    /// <param name="maxRows">Longer frames show their first and last rows.</param>
    /// <param name="rowKeyName">The header of the row-key column (for example <c>epoch</c>).</param>
    public Report AddTable<TRow, TColumn>(Frame<TRow, TColumn> frame, string? caption = null, int maxRows = 60, string rowKeyName = "")
        where TRow : notnull where TColumn : notnull
    {
        blocks.Add(Wrap(FrameHtml.Render(frame, maxRows, caption, rowKeyName)));
        return this;
    }

    /// <summary>Adds a model summary (Keras's <c>summary()</c>) as a table.</summary>
    public Report AddTable(ModelSummary summary)
    {
        blocks.Add(Wrap(ModelSummaryHtml.Render(summary)));
        return this;
    }

    /// <summary>Adds an evaluation as a table.</summary>
    public Report AddTable(EvaluationResult result)
    {
        blocks.Add(Wrap(EvaluationHtml.Render(result)));
        return this;
    }

    /// <summary>Adds a classification report (precision, recall, F1, support) as a table.</summary>
    public Report AddTable(ClassificationReport report)
    {
        blocks.Add(Wrap(ClassificationReportHtml.Render(report)));
        return this;
    }

    /// <summary>Adds a transfer comparison: its table of arms and, when the arms have histories, the comparison chart.</summary>
    public Report AddTable(Transfer.Comparison comparison)
    {
        ArgumentNullException.ThrowIfNull(comparison);
        blocks.Add(Wrap(FrameHtml.Render(comparison.ToFrame(), caption: $"Comparison on {comparison.Test.Count:N0} test samples", rowKeyName: "arm")));
        if (comparison.Rows.Count > 0 && comparison.Rows.All(r => r.History.Count > 0)) AddChart(Plot.Compare(comparison));
        return this;
    }

    /// <summary>Adds rows (records or any objects) as a table, one column per public property.</summary>
    public Report AddTable<T>(IEnumerable<T> rows, string? caption = null)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var props = typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.GetIndexParameters().Length == 0).ToList();
        var list = rows.Select(r => (IReadOnlyList<object?>)props.Select(p => p.GetValue(r)).ToList()).ToList();
        blocks.Add(Wrap(HtmlTable.Render(props.Select(p => p.Name).ToList(), list, caption)));
        return this;
    }

    /// <summary>Adds a chart (drawn by the single inline copy of plotly.js), with an optional caption below it.</summary>
    public Report AddChart(GenericChart chart, string? caption = null)
    {
        ArgumentNullException.ThrowIfNull(chart);
        charts++;
        var sb = new StringBuilder("<figure class=\"tn-figure\">").Append(ChartHtml.Fragment(chart, "tn-chart-" + charts.ToString(CultureInfo.InvariantCulture)));
        if (caption is not null) sb.Append("<figcaption>").Append(Encode(caption)).Append("</figcaption>");
        blocks.Add(sb.Append("</figure>").ToString());
        return this;
    }

    /// <summary>The whole page: one inline plotly.js (only when the report has charts), styles, and the blocks in order.</summary>
    public string ToHtml()
    {
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
            .Append("<meta name=\"generator\" content=\"TransferNotebooks\">\n<title>").Append(Encode(Title)).Append("</title>\n<style>").Append(PageStyle).Append("</style>\n")
            .Append(HtmlTable.Style).Append('\n');
        if (charts > 0) sb.Append(ChartHtml.PlotlyScript()).Append('\n');
        sb.Append("</head>\n<body>\n<main>\n<header><h1>").Append(Encode(Title)).Append("</h1>");
        if (Subtitle is not null) sb.Append("<p class=\"tn-subtitle\">").Append(Encode(Subtitle)).Append("</p>");
        sb.Append("</header>\n");
        foreach (var b in blocks) sb.Append(b).Append('\n');
        sb.Append("<footer>Generated by TransferNotebooks").Append(charts > 0 ? $" · charts by plotly.js {ChartHtml.PlotlyJsVersion} (inlined, works offline)" : "").Append("</footer>\n</main>\n</body>\n</html>\n");
        return sb.ToString();
    }

    /// <summary>Writes the page to <paramref name="path"/> atomically (a crash leaves the previous file intact). Returns the full path.</summary>
    public string Save(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var html = ToHtml();
        AtomicFile.Write(path, s => s.Write(new UTF8Encoding(false).GetBytes(html)));
        return Path.GetFullPath(path);
    }

    /// <inheritdoc />
    public override string ToString() => $"Report \"{Title}\": {blocks.Count} blocks, {charts} charts";

    static string Encode(string s) => WebUtility.HtmlEncode(s);

    static string Wrap(string table) => "<div class=\"tn-table-wrap\">" + table + "</div>";

    const string PageStyle =
        "body{margin:0;background:#f6f7f9;color:#222;font-family:'DejaVu Sans',Arial,sans-serif;line-height:1.45}"
        + "main{max-width:1180px;margin:0 auto;padding:24px 32px 48px;background:white;min-height:100vh;box-sizing:border-box}"
        + "h1{margin:0 0 4px;font-size:28px}h2{margin:32px 0 8px;font-size:21px;border-bottom:1px solid #e3e3e3;padding-bottom:4px}"
        + "h3{margin:22px 0 6px;font-size:17px}.tn-subtitle{margin:0;color:#666}p{max-width:900px}"
        + ".tn-cards{display:flex;flex-wrap:wrap;gap:14px;margin:16px 0}.tn-card{border:1px solid #d9e2ec;border-radius:8px;padding:12px 18px;min-width:150px;background:#f8fbff}"
        + ".tn-card-value{font-size:24px;font-weight:600;color:#1f4e79}.tn-card-label{color:#555;font-size:13px}"
        + ".tn-table-wrap{overflow-x:auto}.tn-figure{margin:12px 0;overflow-x:auto}figcaption{color:#555;font-size:13px;margin-top:4px}"
        + "footer{margin-top:40px;color:#888;font-size:12px;border-top:1px solid #eee;padding-top:8px}";
}
