using System.Net;
using System.Text;

namespace TransferNotebooks.Hosting;

/// <summary>
/// The one HTML table of the library (class <c>tn-table</c>): behind <c>Display.Formatters.HtmlTable</c> (summaries, histories,
/// frames, reports) and the notebook progress display. In Hosting/ so that Training can use it without depending on Display.
/// </summary>
internal static class HtmlTableMarkup
{
    /// <summary>The style sheet of the tables (class <c>tn-table</c>); included once per fragment so each output stands alone.</summary>
    public const string Style =
        "<style>.tn-table{border-collapse:collapse;font-family:'DejaVu Sans',Arial,sans-serif;font-size:13px;margin:6px 0}"
        + ".tn-table th,.tn-table td{padding:4px 10px;border-bottom:1px solid #e3e3e3;text-align:right;white-space:nowrap}"
        + ".tn-table th{background:#f3f6fa;border-bottom:2px solid #9fb3c8;font-weight:600}"
        + ".tn-table td.tn-key,.tn-table th.tn-key,.tn-table td.tn-text{text-align:left}"
        + ".tn-table tr.tn-muted td{color:#888}.tn-table tr.tn-sep td{border-top:2px solid #9fb3c8}"
        + ".tn-table caption{caption-side:top;text-align:left;font-weight:600;padding:4px 0;color:#333}"
        + ".tn-table tfoot td{font-weight:600;text-align:left;border-bottom:none}</style>";

    /// <summary>
    /// A table: header cells, rows of cells (first column left-aligned as a key), optional caption, footer lines and per-row
    /// CSS classes. Cell values are HTML-encoded; numbers are formatted with <see cref="NumberFormat.Cell"/>.
    /// </summary>
    public static string Render(IReadOnlyList<string> header, IEnumerable<IReadOnlyList<object?>> rows, string? caption = null,
        IEnumerable<string>? footer = null, Func<int, string?>? rowClass = null, bool includeStyle = true)
    {
        var sb = new StringBuilder();
        if (includeStyle) sb.Append(Style);
        sb.Append("<table class=\"tn-table\">");
        if (caption is not null) sb.Append("<caption>").Append(WebUtility.HtmlEncode(caption)).Append("</caption>");
        sb.Append("<thead><tr>");
        for (int i = 0; i < header.Count; i++)
            sb.Append(i == 0 ? "<th class=\"tn-key\">" : "<th>").Append(WebUtility.HtmlEncode(header[i])).Append("</th>");
        sb.Append("</tr></thead><tbody>");
        int r = 0;
        foreach (var row in rows)
        {
            var cls = rowClass?.Invoke(r);
            sb.Append(cls is null ? "<tr>" : $"<tr class=\"{WebUtility.HtmlEncode(cls)}\">");
            for (int i = 0; i < row.Count; i++)
                sb.Append(i == 0 ? "<td class=\"tn-key\">" : row[i] is string ? "<td class=\"tn-text\">" : "<td>").Append(WebUtility.HtmlEncode(NumberFormat.Cell(row[i]))).Append("</td>");
            sb.Append("</tr>");
            r++;
        }
        sb.Append("</tbody>");
        var foot = footer?.ToList();
        if (foot is { Count: > 0 })
        {
            sb.Append("<tfoot>");
            foreach (var line in foot) sb.Append($"<tr><td colspan=\"{header.Count}\">").Append(WebUtility.HtmlEncode(line)).Append("</td></tr>");
            sb.Append("</tfoot>");
        }
        sb.Append("</table>");
        return sb.ToString();
    }
}
