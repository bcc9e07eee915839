using System.Text.RegularExpressions;
using TransferNotebooks.Charts;
using TransferNotebooks.Frames;
using TransferNotebooks.Reports;

namespace TransferNotebooks.Tests.Reports;

public class ReportTests
{
    [Fact]
    public void A_report_is_self_contained_with_one_copy_of_plotly_for_all_charts()
    {
        var h = TransferNotebooks.Tests.Charts.ChartJson.SampleHistory();
        var report = new Report("MNIST <transfer>", "test run")
            .AddSummary(("test accuracy", "98.1%"), ("epochs", "5"))
            .AddText("First paragraph.\n\nSecond & last.")
            .AddTable(h.ToFrame(), caption: "History")
            .AddTable(ClassificationReport.Compute(new long[] { 0, 1, 1 }, new long[] { 0, 1, 0 }))
            .AddTable(new[] { new { Run = "scratch", Accuracy = 0.91 }, new { Run = "fine-tune", Accuracy = 0.97 } }, "Runs")
            .AddChart(Plot.LearningCurves(h), "Learning curves")
            .AddChart(Plot.Compare([("a", h), ("b", h)]))
            .AddChart(Plot.ConfusionMatrix(new long[] { 0, 1, 1 }, new long[] { 0, 1, 0 }));
        var html = report.ToHtml();

        // No script is loaded from anywhere: every <script> tag is inline.
        var tags = Regex.Matches(html, "<script[^>]*>", RegexOptions.IgnoreCase).Select(m => m.Value).ToList();
        Assert.NotEmpty(tags);
        Assert.All(tags, t => Assert.DoesNotContain("src", t, StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotMatch("<link[^>]+href=\"http", html);
        // plotly.js once (3.6 MB), not once per chart.
        Assert.Single(Regex.Matches(html, Regex.Escape("For license information please see plotly.min.js.LICENSE.txt")));
        Assert.InRange(html.Length, 3_000_000, 4_500_000);
        Assert.Equal(3, Regex.Matches(html, "Plotly\\.newPlot\\('tn-chart-").Count);
        Assert.Contains("<h1>MNIST &lt;transfer&gt;</h1>", html);
        Assert.Contains("<p>Second &amp; last.</p>", html);
        Assert.Contains("fine-tune", html);
        Assert.Contains("98.1%", html);

        var path = Path.Combine(Path.GetTempPath(), $"tn-report-{Guid.NewGuid():N}", "report.html");
        try
        {
            Assert.Equal(Path.GetFullPath(path), report.Save(path));
            Assert.Equal(html, File.ReadAllText(path));
            Assert.Single(Directory.GetFiles(Path.GetDirectoryName(path)!)); // no temp file left behind
        }
        finally { Directory.Delete(Path.GetDirectoryName(path)!, recursive: true); }
    }

    [Fact]
    public void A_report_without_charts_carries_no_plotly()
    {
        var html = new Report("Plain").AddText("hello").ToHtml();
        Assert.True(html.Length < 10_000);
        Assert.DoesNotContain("<script", html);
    }
}
