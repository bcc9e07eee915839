using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Plotly.NET;
using TransferNotebooks.Data;

namespace TransferNotebooks.Charts;

/// <summary>
/// Saves charts as PNG or SVG through headless Chromium (plotly.js draws the chart, <c>Plotly.toImage</c> exports it), and
/// screenshots HTML pages such as reports. Needs a Chromium or Chrome executable: <c>/usr/bin/chromium</c> and the usual
/// names are tried, or set the <c>TN_CHROMIUM</c> environment variable.
/// </summary>
public static class ChartImage
{
    static readonly string[] Candidates =
        ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome", "/usr/bin/google-chrome-stable", "/snap/bin/chromium",
         "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome", @"C:\Program Files\Google\Chrome\Application\chrome.exe"];

    /// <summary>The browser used, or null when none was found.</summary>
    public static string? ChromiumPath =>
        SearchOverride is { } search ? search.FirstOrDefault(File.Exists)
        : Environment.GetEnvironmentVariable("TN_CHROMIUM") is { Length: > 0 } env && File.Exists(env) ? env : Candidates.FirstOrDefault(File.Exists);

    /// <summary>Tests replace the places searched (an empty list simulates a machine without Chromium).</summary>
    internal static IReadOnlyList<string>? SearchOverride { get; set; }

    /// <summary>True when a headless browser is available for image export.</summary>
    public static bool IsAvailable => ChromiumPath is not null;

    /// <summary>How long one export may take before the browser is stopped.</summary>
    public static TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(90);

    /// <summary>Saves the chart as a PNG image (atomically).</summary>
    /// <param name="chart">The chart.</param>
    /// <param name="path">The file to write.</param>
    /// <param name="width">Pixels; the chart's layout width (or 800) by default.</param>
    /// <param name="height">Pixels; the chart's layout height (or 500) by default.</param>
    /// <param name="scale">Pixel density (2 for sharp images on high-DPI screens).</param>
    /// <exception cref="InvalidOperationException">No Chromium was found (the message says how to install it), or it failed.</exception>
    public static void SavePng(GenericChart chart, string path, int? width = null, int? height = null, double scale = 1)
    {
        var dataUrl = Export(chart, "png", width, height, scale);
        const string prefix = "data:image/png;base64,";
        if (!dataUrl.StartsWith(prefix, StringComparison.Ordinal)) throw new InvalidOperationException("Chromium returned no PNG: " + Cut(dataUrl));
        var bytes = Convert.FromBase64String(dataUrl[prefix.Length..]);
        AtomicFile.Write(path, s => s.Write(bytes));
    }

    /// <summary>Saves the chart as an SVG image (atomically).</summary>
    /// <inheritdoc cref="SavePng"/>
    public static void SaveSvg(GenericChart chart, string path, int? width = null, int? height = null)
    {
        var dataUrl = Export(chart, "svg", width, height, 1);
        int comma = dataUrl.IndexOf(',', StringComparison.Ordinal);
        if (!dataUrl.StartsWith("data:image/svg+xml", StringComparison.Ordinal) || comma < 0) throw new InvalidOperationException("Chromium returned no SVG: " + Cut(dataUrl));
        var svg = Uri.UnescapeDataString(dataUrl[(comma + 1)..]);
        AtomicFile.Write(path, s => s.Write(Encoding.UTF8.GetBytes(svg)));
    }

    /// <summary>Screenshots an HTML file (a saved report, for example) into a PNG of the given window size.</summary>
    /// <exception cref="InvalidOperationException">No Chromium was found, or it failed.</exception>
    public static void Screenshot(string htmlPath, string pngPath, int width = 1200, int height = 1600)
    {
        if (!File.Exists(htmlPath)) throw new FileNotFoundException("No such HTML file.", htmlPath);
        var temp = Directory.CreateTempSubdirectory("tn-shot-");
        try
        {
            var shot = Path.Combine(temp.FullName, "shot.png");
            Run([$"--screenshot={shot}", $"--window-size={width},{height}", "--hide-scrollbars", "--virtual-time-budget=15000",
                new Uri(Path.GetFullPath(htmlPath)).AbsoluteUri], temp.FullName);
            if (!File.Exists(shot)) throw new InvalidOperationException($"Chromium wrote no screenshot of {htmlPath}.");
            var bytes = File.ReadAllBytes(shot);
            AtomicFile.Write(pngPath, s => s.Write(bytes));
        }
        finally { TryDelete(temp); }
    }

    static string Export(GenericChart chart, string format, int? width, int? height, double scale)
    {
        ArgumentNullException.ThrowIfNull(chart);
        var figure = JsonNode.Parse(ChartHtml.FigureJson(chart))!.AsObject();
        var layout = figure["layout"] as JsonObject;
        int w = width ?? (int?)layout?["width"]?.GetValue<double>() ?? 800;
        int h = height ?? (int?)layout?["height"]?.GetValue<double>() ?? 500;
        var json = figure.ToJsonString().Replace("</", "<\\/", StringComparison.Ordinal);
        string options = string.Create(CultureInfo.InvariantCulture, $"{{format:'{format}',width:{w},height:{h},scale:{scale}}}");
        var page = "<!DOCTYPE html><html><head><meta charset=\"utf-8\">" + ChartHtml.PlotlyScript() + "</head><body><pre id=\"out\"></pre><script>"
            + $"var fig={json};Plotly.toImage({{data:fig.data,layout:fig.layout}},{options})"
            + ".then(function(u){document.querySelectorAll('script').forEach(function(e){e.remove();});document.getElementById('out').textContent=u;})"
            + ".catch(function(e){document.querySelectorAll('script').forEach(function(e){e.remove();});document.getElementById('out').textContent='ERROR: '+e;});</script></body></html>";
        var temp = Directory.CreateTempSubdirectory("tn-chart-");
        try
        {
            var html = Path.Combine(temp.FullName, "chart.html");
            File.WriteAllText(html, page);
            var dom = Run(["--dump-dom", "--virtual-time-budget=20000", new Uri(html).AbsoluteUri], temp.FullName);
            const string open = "<pre id=\"out\">";
            int start = dom.IndexOf(open, StringComparison.Ordinal);
            int end = start < 0 ? -1 : dom.IndexOf("</pre>", start, StringComparison.Ordinal);
            if (start < 0 || end < 0) throw new InvalidOperationException("Chromium returned no rendered chart: " + Cut(dom));
            var result = System.Net.WebUtility.HtmlDecode(dom[(start + open.Length)..end]);
            if (result.Length == 0 || result.StartsWith("ERROR", StringComparison.Ordinal))
                throw new InvalidOperationException("plotly.js could not export the chart: " + (result.Length == 0 ? "timed out" : result));
            return result;
        }
        finally { TryDelete(temp); }
    }

    static string Run(IEnumerable<string> arguments, string workDir)
    {
        var exe = ChromiumPath ?? throw new InvalidOperationException(
            "Saving charts as images needs headless Chromium, which was not found (tried " + string.Join(", ", Candidates.Take(4)) + "). "
            + "Install it with `sudo apt-get install -y chromium` (Debian/Ubuntu; `chromium-browser` on older Ubuntu), "
            + "or point the TN_CHROMIUM environment variable at a Chrome/Chromium executable. Charts can always be saved as HTML (ChartHtml.Page or Report).");
        var psi = new ProcessStartInfo(exe)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workDir,
        };
        foreach (var a in new[] { "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--disable-extensions", "--mute-audio",
                     "--user-data-dir=" + Path.Combine(workDir, "profile") })
            psi.ArgumentList.Add(a);
        foreach (var a in arguments) psi.ArgumentList.Add(a);
        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"Could not start {exe}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(Timeout))
        {
            try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            throw new InvalidOperationException($"Chromium did not finish within {Timeout.TotalSeconds:0} s.");
        }
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"Chromium exited with code {process.ExitCode}: {Cut(stderr.Result)}");
        return stdout.Result;
    }

    static string Cut(string s) => s.Length <= 500 ? s : s[..500] + "…";

    static void TryDelete(DirectoryInfo dir)
    {
        try { dir.Delete(recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
