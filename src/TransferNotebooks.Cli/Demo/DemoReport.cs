using System.Net;
using System.Text;
using TransferNotebooks.Data;

namespace TransferNotebooks.Cli.Demo;

/// <summary>Writes the demo's self-contained HTML report.</summary>
public static class DemoReport
{
    public static void Write(string path, DemoOptions options, string source, IReadOnlyList<ArmResult> results, string table)
    {
        var html = new StringBuilder("<!doctype html><html><head><meta charset=\"utf-8\"><title>MNIST transfer learning</title></head><body>");
        html.Append("<h1>MNIST transfer learning: digits 0-4 to 5-9</h1>");
        html.Append($"<p>Data: {WebUtility.HtmlEncode(source)}. Seeds: {options.Seeds}. Quick: {options.Quick}.</p>");
        html.Append("<pre>").Append(WebUtility.HtmlEncode(table)).Append("</pre>");
        html.Append("<table border=1><tr><th>N/class</th><th>seed</th><th>arm</th><th>accuracy</th><th>seconds</th></tr>");
        foreach (var r in results)
            html.Append($"<tr><td>{r.PerClass}</td><td>{r.Seed}</td><td>{WebUtility.HtmlEncode(r.Arm)}</td><td>{r.Accuracy:P2}</td><td>{r.Seconds:0.0}</td></tr>");
        html.Append("</table></body></html>");
        AtomicFile.Write(path, s => s.Write(Encoding.UTF8.GetBytes(html.ToString())));
    }
}
