using System.Globalization;

namespace TransferNotebooks.Hosting;

/// <summary>
/// The one number format of the library's output: the progress bar and its notebook table, histories, evaluation results
/// and every HTML table (<c>Display.Formatters.HtmlTable</c>, Deedle frames, reports). Invariant culture everywhere.
/// </summary>
/// <remarks>
/// Lives in Hosting/ (the bottom layer) so that Training (progress, histories) and Display (tables) share it without Training
/// depending on Display.
/// </remarks>
public static class NumberFormat
{
    /// <summary>
    /// A loss or metric value as Keras prints it: four decimals, scientific notation (<c>1.235e+10</c>, <c>1.000e-05</c>) for
    /// magnitudes below 1e-3 or from 1e5; <c>0.0000</c>, <c>NaN</c> and <c>Infinity</c> as such.
    /// </summary>
    public static string Value(double v) =>
        v == 0 || double.IsNaN(v) || double.IsInfinity(v) || (Math.Abs(v) >= 1e-3 && Math.Abs(v) < 1e5)
            ? v.ToString("0.0000", CultureInfo.InvariantCulture)
            : v.ToString("0.000e+00", CultureInfo.InvariantCulture);

    /// <summary>
    /// A table cell: <see cref="Value"/> for fractional numbers, thousands separators for counts (integers, and whole numbers
    /// from 1,000), blank for missing (null or NaN), yes/no for booleans, other values as they print.
    /// </summary>
    public static string Cell(object? value) => value switch
    {
        null => "",
        double d when double.IsNaN(d) => "",
        double d => d == Math.Floor(d) && Math.Abs(d) >= 1000 && Math.Abs(d) < 1e5 ? d.ToString("N0", CultureInfo.InvariantCulture) : Value(d),
        float f => Cell((double)f),
        long or int or short => ((IFormattable)value).ToString("N0", CultureInfo.InvariantCulture),
        bool b => b ? "yes" : "no",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    /// <summary>A duration in seconds as the progress bar shows it: one decimal under a minute (<c>12.3s</c>), else <c>m:ss</c> or <c>h:mm:ss</c>.</summary>
    public static string Seconds(double s) => s < 60 ? s.ToString("0.0", CultureInfo.InvariantCulture) + "s" : Clock(s);

    /// <summary>A duration as <c>h:mm:ss</c>, <c>m:ss</c> or <c>Ns</c> (whole seconds), <c>?</c> when unknown.</summary>
    public static string Clock(double s)
    {
        if (double.IsNaN(s) || double.IsInfinity(s)) return "?";
        var t = TimeSpan.FromSeconds(Math.Round(s));
        return t.TotalHours >= 1 ? string.Create(CultureInfo.InvariantCulture, $"{(int)t.TotalHours}:{t.Minutes:00}:{t.Seconds:00}")
            : t.TotalMinutes >= 1 ? string.Create(CultureInfo.InvariantCulture, $"{t.Minutes}:{t.Seconds:00}")
            : string.Create(CultureInfo.InvariantCulture, $"{t.Seconds}s");
    }
}
