using TransferNotebooks.Hosting;

namespace TransferNotebooks.Display.Formatters;

/// <summary>Builds the plain, styled HTML tables every formatter uses (one look across summaries, histories, frames and the progress display).</summary>
public static class HtmlTable
{
    /// <summary>The style sheet of the tables (class <c>tn-table</c>); included once per fragment so each output stands alone.</summary>
    public const string Style = HtmlTableMarkup.Style;

    /// <summary>
    /// A table: header cells, rows of cells (first column left-aligned as a key), optional caption, footer lines and per-row
    /// CSS classes. Cell values are HTML-encoded; numbers are formatted with <see cref="Cell"/>.
    /// </summary>
    public static string Render(IReadOnlyList<string> header, IEnumerable<IReadOnlyList<object?>> rows, string? caption = null,
        IEnumerable<string>? footer = null, Func<int, string?>? rowClass = null, bool includeStyle = true) =>
        HtmlTableMarkup.Render(header, rows, caption, footer, rowClass, includeStyle);

    /// <summary>How a value prints in a table (the library's one number format, <see cref="NumberFormat.Cell"/>): four decimals for fractions, thousands separators for counts, blank for missing.</summary>
    public static string Cell(object? value) => NumberFormat.Cell(value);
}
