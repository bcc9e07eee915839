using Microsoft.DotNet.Interactive.Formatting;
using TransferNotebooks.Charts;
using TransferNotebooks.Display;
using TransferNotebooks.Display.Formatters;
using TransferNotebooks.Frames;
using TransferNotebooks.Models;
using TransferNotebooks.Training;

namespace TransferNotebooks.Tests.Display;

public class FormattersTests
{
    [Fact]
    public void Loading_the_library_registers_html_formatters_once()
    {
        _ = typeof(Sequential).Assembly; // the module initializer has run
        Assert.True(DisplayRegistration.IsRegistered);
        Assert.False(DisplayRegistration.EnsureRegistered());
        var summary = new ModelSummary("mlp", [new LayerSummary("dense", "Dense", "(None, 10)", 7850, true), new LayerSummary("base", "Dense", "(None, 128)", 100480, false)], 7850, 100480);
        var html = Formatter.ToDisplayString(summary, "text/html");
        Assert.Contains("<table class=\"tn-table\">", html);
        Assert.Contains("dense (Dense)", html);
        Assert.Contains("100,480", html);
        Assert.Contains("tn-muted", html); // frozen row greyed
        Assert.Contains("Total params: 108,330", html);

        var eval = new EvaluationResult(new Dictionary<string, double> { ["loss"] = 0.25, ["accuracy"] = 0.9312 }, 1000);
        Assert.Contains("0.9312", Formatter.ToDisplayString(eval, "text/html"));
        var frameHtml = Formatter.ToDisplayString(ChartJsonHistory().ToFrame(), "text/html");
        Assert.Contains("val_accuracy", frameHtml);
        Assert.Contains("<td class=\"tn-key\">5</td>", frameHtml);
        Assert.Contains("macro avg", Formatter.ToDisplayString(ClassificationReport.Compute(new long[] { 0, 1 }, new long[] { 0, 1 }), "text/html"));
    }

    [Fact]
    public void History_and_chart_html_draw_with_plotly_and_carry_the_figure()
    {
        var h = ChartJsonHistory();
        var html = HistoryHtml.Render(h, includePlotlyJs: false);
        Assert.Contains("Plotly.newPlot", html);
        Assert.Contains("\"name\":\"validation\"", html);
        Assert.Contains("History: 5 epochs", html);
        Assert.DoesNotContain("<script src=", html);
        var chartHtml = ChartFormatterHtml.Render(Plot.LearningCurves(h), includePlotlyJs: true);
        Assert.Contains(ChartHtml.PlotlyJsVersion, chartHtml);
        Assert.True(chartHtml.Length > 3_000_000, "plotly.js inlined");
    }

    [Fact]
    public void Long_frames_show_head_and_tail()
    {
        var h = new History();
        for (int e = 0; e < 100; e++) h.Append(e, new Dictionary<string, double> { ["loss"] = e });
        var html = FrameHtml.Render(h.ToFrame(), maxRows: 10);
        Assert.Contains("<td class=\"tn-key\">1</td>", html);
        Assert.Contains("<td class=\"tn-key\">100</td>", html);
        Assert.DoesNotContain("<td class=\"tn-key\">50</td>", html);
        Assert.Contains("100 rows", html);
    }

    [Fact]
    public void A_frame_given_as_an_object_renders_without_dynamic_code()
    {
        Assert.False(System.Runtime.CompilerServices.RuntimeFeature.IsDynamicCodeSupported); // as in a file-based app
        var h = new History();
        for (int e = 0; e < 3; e++) h.Append(e, new Dictionary<string, double> { ["loss"] = 1.0 / (e + 1) });
        object frame = h.ToFrame();
        Assert.Equal(FrameHtml.Render(h.ToFrame()), FrameHtml.RenderAny(frame));
        Assert.Throws<ArgumentException>(() => FrameHtml.RenderAny("not a frame"));
    }

    [Fact]
    public void Plotly_js_is_inlined_by_at_most_one_chart_display_per_session()
    {
        var chart = Plot.ConfusionMatrix(new long[] { 0, 1 }, new long[] { 0, 1 });
        var outputs = Enumerable.Range(0, 3).Select(_ => Formatter.ToDisplayString(chart, "text/html")).ToList();
        Assert.All(outputs, o => Assert.Contains("Plotly.newPlot", o));
        Assert.True(outputs.Count(o => o.Length > 3_000_000) <= 1);
        Assert.True(outputs[1].Length < 100_000 && outputs[2].Length < 100_000);
    }

    [Fact]
    public void The_progress_bar_live_chart_draws_the_epochs_so_far()
    {
        Assert.Null(HistoryHtml.LiveChart(new History()));
        var h = ChartJsonHistory();
        var html = HistoryHtml.LiveChart(h)!;
        Assert.Contains("Plotly.newPlot", html);
        Assert.Contains("\"y\":[1.2,0.7,0.5,0.41,0.36]", html); // the training loss of the epochs so far
        Assert.True(html.Length < 100_000);
    }

    static History ChartJsonHistory() => TransferNotebooks.Tests.Charts.ChartJson.SampleHistory();
}
