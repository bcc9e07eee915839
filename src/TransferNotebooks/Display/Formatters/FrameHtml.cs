using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using Deedle;

namespace TransferNotebooks.Display.Formatters;

/// <summary>Deedle frames as HTML tables (row keys first, then the columns), long frames shortened to head and tail.</summary>
public static class FrameHtml
{
    /// <summary>The frame as an HTML table; frames longer than <paramref name="maxRows"/> show their first and last rows.</summary>
    public static string Render<TRow, TColumn>(Frame<TRow, TColumn> frame, int maxRows = 40, string? caption = null, string rowKeyName = "")
        where TRow : notnull where TColumn : notnull
    {
        ArgumentNullException.ThrowIfNull(frame);
        var columns = frame.ColumnKeys.ToList();
        var series = columns.Select(c => frame.GetColumn<object>(c)).ToList();
        var keys = frame.RowKeys.ToList();
        int half = Math.Max(1, maxRows / 2);
        var positions = keys.Count <= maxRows ? Enumerable.Range(0, keys.Count) : Enumerable.Range(0, half).Concat(Enumerable.Range(keys.Count - half, half));
        var shown = positions.Select(i => (k: keys[i], i)).ToList();
        var rows = new List<IReadOnlyList<object?>>();
        for (int r = 0; r < shown.Count; r++)
        {
            if (r > 0 && shown[r].i != shown[r - 1].i + 1) rows.Add(Enumerable.Repeat<object?>("…", columns.Count + 1).ToList());
            var key = shown[r].k;
            var row = new List<object?> { key };
            foreach (var s in series)
            {
                var v = s.TryGet(key);
                row.Add(v.HasValue ? v.Value : null);
            }
            rows.Add(row);
        }
        var header = new[] { rowKeyName }.Concat(columns.Select(c => c.ToString() ?? "")).ToList();
        var footer = keys.Count > maxRows ? [$"{keys.Count:N0} rows × {columns.Count} columns"] : Array.Empty<string>();
        return HtmlTable.Render(header, rows, caption, footer);
    }

    static readonly MethodInfo Generic = typeof(FrameHtml).GetMethods().Single(m => m.Name == nameof(Render) && m.IsGenericMethodDefinition);

    /// <summary>Any <c>Frame&lt;R, C&gt;</c> given as an object (what a notebook formatter receives).</summary>
    /// <exception cref="ArgumentException">Not a Deedle frame.</exception>
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = "Notebooks and file-based apps run on the JIT, which instantiates "
        + "generic methods even with dynamic code switched off (RuntimeFeature.IsDynamicCodeSupported false); tested with it off.")]
    public static string RenderAny(object frame, int maxRows = 40)
    {
        ArgumentNullException.ThrowIfNull(frame);
        for (var t = frame.GetType(); t is not null; t = t.BaseType)
            if (t.IsGenericType && t.GetGenericTypeDefinition() == typeof(Frame<,>))
                return (string)Generic.MakeGenericMethod(t.GetGenericArguments()).Invoke(null, [frame, maxRows, null, ""])!;
        throw new ArgumentException($"{frame.GetType().Name} is not a Deedle frame.", nameof(frame));
    }
}
