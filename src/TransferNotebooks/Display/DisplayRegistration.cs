using System.Runtime.CompilerServices;
using Microsoft.DotNet.Interactive.Formatting;
using Plotly.NET;
using TransferNotebooks.Display.Formatters;
using TransferNotebooks.Frames;
using TransferNotebooks.Models;
using TransferNotebooks.Training;
using TransferNotebooks.Training.Callbacks;

namespace TransferNotebooks.Display;

/// <summary>
/// Registers the library's notebook formatters (text/html) with Microsoft.DotNet.Interactive.Formatting: model summaries,
/// histories (chart and table), evaluations, transfer comparisons, classification reports, confusion matrices, Deedle frames and Plotly.NET charts,
/// and sets the progress bar's live learning-curve chart (<see cref="ProgressBar.EpochChartRenderer"/>).
/// Runs once, automatically, when the library is loaded; calling <see cref="EnsureRegistered"/> again does nothing.
/// </summary>
public static class DisplayRegistration
{
    static int registered;
    static int plotlyInlined;

    /// <summary>True once the formatters are registered.</summary>
    public static bool IsRegistered => Volatile.Read(ref registered) == 1;

    /// <summary>Registers the formatters (once per process). Returns true when this call registered them.</summary>
    public static bool EnsureRegistered()
    {
        if (Interlocked.Exchange(ref registered, 1) == 1) return false;
        const string html = "text/html";
        Formatter.Register<ModelSummary>(s => ModelSummaryHtml.Render(s), html);
        Formatter.Register<History>(h => HistoryHtml.Render(h, FirstChart()), html);
        Formatter.Register<EvaluationResult>(r => EvaluationHtml.Render(r), html);
        Formatter.Register<ClassificationReport>(r => ClassificationReportHtml.Render(r), html);
        Formatter.Register<ConfusionMatrix>(m => ClassificationReportHtml.Render(m), html);
        Formatter.Register<Transfer.Comparison>(c => ComparisonHtml.Render(c, FirstChart()), html);
        Formatter.Register<GenericChart>(c => ChartFormatterHtml.Render(c, FirstChart()), html);
        Formatter.Register(typeof(Deedle.Frame<,>), (value, writer) => writer.Write(FrameHtml.RenderAny(value)), html);
        // A dataset shows its shape, never its tensors (which would be megabytes of text).
        Formatter.Register<Data.Dataset>(d => "<code>" + System.Net.WebUtility.HtmlEncode(d.ToString()) + "</code>", html);
        // Plain text: the library's own ToString tables, not an object tree.
        const string plain = "text/plain";
        Formatter.Register<Data.Dataset>(d => d.ToString(), plain);
        Formatter.Register<ModelSummary>(s => s.ToString(), plain);
        Formatter.Register<History>(h => h.ToString(), plain);
        Formatter.Register<EvaluationResult>(r => r.ToString(), plain);
        Formatter.Register<Transfer.Comparison>(c => c.ToString(), plain);
        // The notebook progress display's live learning curves (Training exposes the hook so it never depends on charts);
        // a renderer set by the user is kept.
        ProgressBar.EpochChartRenderer ??= h => HistoryHtml.LiveChart(h, FirstChart());
        return true;
    }

    /// <summary>True for the first chart rendered in this process: it carries plotly.js, later ones reuse <c>window.Plotly</c>.</summary>
    static bool FirstChart() => Interlocked.Exchange(ref plotlyInlined, 1) == 0;

#pragma warning disable CA2255 // a library module initializer is intended: notebooks get the formatters by loading the library
    [ModuleInitializer]
    internal static void OnLoad()
    {
        Hosting.FSharpCoreBinding.Install(); // before any chart type loads: Plotly.NET needs FSharp.Core 10.1, which some hosts lack
        // May fail when a host is still resolving this package's dependencies as the library loads (dotnet fsi's #r); hosts then
        // call EnsureRegistered again (the project's kernel before each cell, the .NET Interactive extension on load).
        try { EnsureRegistered(); }
        catch (Exception e) when (e is TypeLoadException or FileNotFoundException or FileLoadException or InvalidOperationException)
        {
            // Formatting unavailable (trimmed or mismatched host): plain ToString output still works.
            Interlocked.Exchange(ref registered, 0);
        }
    }
#pragma warning restore CA2255
}
