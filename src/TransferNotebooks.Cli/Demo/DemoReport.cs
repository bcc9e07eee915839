using System.Globalization;
using TransferNotebooks.Charts;
using TransferNotebooks.Reports;

namespace TransferNotebooks.Cli.Demo;

/// <summary>Writes the demo's self-contained HTML report (the library's <see cref="Report"/>: one inline plotly.js, opens offline).</summary>
public static class DemoReport
{
    public static void Write(string path, DemoOptions options, string source, IReadOnlyList<ArmResult> results, string table)
    {
        var means = results.GroupBy(r => (r.Arm, r.PerClass)).Select(g => (g.Key.Arm, g.Key.PerClass, Accuracy: g.Average(r => r.Accuracy))).ToList();
        var arms = results.Select(r => r.Arm).Distinct().ToList();
        int smallest = results.Count == 0 ? 0 : results.Min(r => r.PerClass);
        var report = new Report("MNIST transfer learning: digits 0-4 to 5-9",
            $"Data: {source} · seeds: {options.Seeds} · quick: {options.Quick}");
        report.AddSummary(arms.Select(a => KeyValuePair.Create($"{a}, N={smallest}/class",
            means.Where(m => m.Arm == a && m.PerClass == smallest).Select(m => m.Accuracy.ToString("P1", CultureInfo.InvariantCulture)).FirstOrDefault() ?? "")));
        report.AddText("A small CNN pretrained on digits 0-4 learns digits 5-9 from N labelled examples per class, three ways on the same "
            + "examples and budget: from scratch, frozen features with a new head, and fine-tuning. Accuracy is on the 5-9 test digits.");
        if (results.Select(r => r.PerClass).Distinct().Count() > 1)
            report.AddChart(Plot.Lines(arms.Select(a => KeyValuePair.Create(a, means.Where(m => m.Arm == a).Select(m => ((double)m.PerClass, m.Accuracy)))),
                "Test accuracy on digits 5-9 (mean over seeds)", "labelled examples per class", "accuracy", logX: true, percentY: true));
        report.AddHeading("Summary").AddHtml("<pre>" + System.Net.WebUtility.HtmlEncode(table) + "</pre>");
        report.AddHeading("Every run").AddTable(results, "N/class, seed, arm, test accuracy, training seconds");
        report.Save(path);
    }
}
