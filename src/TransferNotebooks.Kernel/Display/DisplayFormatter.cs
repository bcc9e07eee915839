using System.Collections;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.DotNet.Interactive.Formatting;
using Microsoft.FSharp.Core;

namespace TransferNotebooks.Kernel.Display;

/// <summary>
/// Turns a value into a MIME bundle: the library's MimeBundle as is, Plotly charts offline, otherwise text/plain (the
/// language's printer) and text/html from the formatters registered with Microsoft.DotNet.Interactive.Formatting.
/// Every formatter call is guarded: a throwing formatter falls back to ToString.
/// </summary>
public static class DisplayFormatter
{
    static int registered;

    /// <summary>The language's plain-text printer (fsi's for F#); null means the Formatting package's.</summary>
    public static Func<object, Type, string>? LanguagePlainText { get; set; }

    /// <summary>The bundle for <paramref name="value"/>: MIME type to content (strings, or JSON for +json types).</summary>
    public static JsonObject Format(object? value, Type? type = null)
    {
        RegisterSafeFormatters();
        LibraryBridge.EnsureFormatters();
        if (value is null) return new JsonObject { ["text/plain"] = "null" };
        type ??= value.GetType();
        if (value is HtmlContent h) return new JsonObject { ["text/html"] = h.Html, ["text/plain"] = h.Html };
        if (LibraryBridge.TryGetBundle(value) is { } bundle) return bundle;
        if (PlotlyRenderer.TryRender(value) is { } chart) return chart;

        var result = new JsonObject { ["text/plain"] = PlainText(value, type) };
        if (!IsPlain(type))
        {
            var html = Safe(() => Formatter.ToDisplayString(value, "text/html"));
            // The package's fallback only wraps the plain text in <pre> (plus a style sheet): not worth sending.
            if (!string.IsNullOrEmpty(html) && !html.StartsWith("<div class=\"dni-plaintext\">", StringComparison.Ordinal)) result["text/html"] = html;
        }
        return result;
    }

    /// <summary>text/plain through the language's printer, else the Formatting package, else ToString.</summary>
    public static string PlainText(object value, Type type)
    {
        // fsi's printer for F# values and primitives; a .NET object whose type overrides ToString (the library's summaries,
        // evaluations, histories) prints through its text/plain formatter or ToString, not as ToString plus an fsi
        // property dump (which showed an EvaluationResult twice).
        if (LanguagePlainText is { } f)
        {
            if (!IsPlain(type) && OverridesToString(type)) return Safe(value.ToString) ?? type.Name;
            var s = Safe(() => f(value, type));
            if (s is not null) return s;
        }
        return PlainTextByFormatter(value);
    }

    /// <summary>True when <paramref name="type"/> (or a base class other than object) declares its own ToString.</summary>
    public static bool OverridesToString(Type type) =>
        type.GetMethod(nameof(ToString), Type.EmptyTypes)?.DeclaringType is { } d && d != typeof(object) && d != typeof(ValueType);

    /// <summary>text/plain through the Formatting package, with ToString as the fallback.</summary>
    public static string PlainTextByFormatter(object value) =>
        Safe(() => Formatter.ToDisplayString(value, "text/plain")) ?? Safe(() => value.ToString()) ?? value.GetType().Name;

    static string? Safe(Func<string?> f)
    {
        try { return f(); }
        catch (Exception e)
        {
            Log.Debug("formatter failed: " + e.Message);
            return null;
        }
    }

    /// <summary>Types shown as text only: primitives, strings, and F# structural values (printed best by fsi).</summary>
    public static bool IsPlain(Type type)
    {
        if (type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal) || type == typeof(DateTime)
            || type == typeof(DateTimeOffset) || type == typeof(TimeSpan) || type == typeof(Guid))
            return true;
        if (type.IsArray) return IsPlain(type.GetElementType()!);
        return IsFSharpStructural(type);
    }

    /// <summary>F# lists, options, maps, sets, tuples, records and unions.</summary>
    public static bool IsFSharpStructural(Type type)
    {
        if (type.IsGenericType)
        {
            var def = type.GetGenericTypeDefinition();
            if (def.FullName is { } n && (n.StartsWith("System.Tuple`", StringComparison.Ordinal) || n.StartsWith("System.ValueTuple`", StringComparison.Ordinal)))
                return true;
            if (def.Namespace == "Microsoft.FSharp.Collections" || def.Namespace == "Microsoft.FSharp.Core") return true;
        }
        for (var t = type; t is not null; t = t.BaseType)
        {
            if (t.FullName == "Plotly.NET.GenericChart") return false;
            foreach (var a in t.GetCustomAttributes(typeof(CompilationMappingAttribute), false).Cast<CompilationMappingAttribute>())
                if (a.SourceConstructFlags is SourceConstructFlags.RecordType or SourceConstructFlags.SumType) return true;
        }
        return false;
    }

    /// <summary>
    /// The Formatting package walks F# lists and options badly (as property bags): register formatters that print them
    /// as text, for values nested inside other displays too.
    /// </summary>
    public static void RegisterSafeFormatters()
    {
        if (Interlocked.Exchange(ref registered, 1) == 1) return;
        Type[] types = [typeof(Microsoft.FSharp.Collections.FSharpList<>), typeof(FSharpOption<>), typeof(FSharpValueOption<>),
            typeof(Microsoft.FSharp.Collections.FSharpMap<,>), typeof(Microsoft.FSharp.Collections.FSharpSet<>)];
        foreach (var t in types)
        {
            try
            {
                Formatter.Register(t, (value, writer) => writer.Write(FSharpText(value)), "text/plain");
                Formatter.Register(t, (value, writer) => writer.Write("<pre>" + WebUtility.HtmlEncode(FSharpText(value)) + "</pre>"), "text/html");
            }
            catch (Exception e) { Log.Debug($"could not register a formatter for {t.Name}: {e.Message}"); }
        }
    }

    /// <summary>
    /// F# collections and options as text, without going back through the Formatting package (whose formatters for these
    /// types are the ones calling this): the language's printer when there is one (fsi), else a bounded F#-style printer.
    /// </summary>
    internal static string FSharpText(object value)
    {
        if (LanguagePlainText is { } f)
        {
            var s = Safe(() => f(value, value.GetType()));
            if (s is not null) return s;
        }
        var sb = new System.Text.StringBuilder();
        Print(value, sb, depth: 0);
        return sb.ToString();
    }

    static void Print(object? value, System.Text.StringBuilder sb, int depth)
    {
        const int maxItems = 100;
        if (value is null) { sb.Append("null"); return; }
        if (depth > 5) { sb.Append("..."); return; }
        var type = value.GetType();
        if (type.IsGenericType && type.GetGenericTypeDefinition() is var def
            && (def == typeof(FSharpOption<>) || def == typeof(FSharpValueOption<>)))
        {
            var tag = type.GetProperty("Tag")?.GetValue(value) as int? ?? 0;
            if (def == typeof(FSharpOption<>) || tag == 1)
            {
                sb.Append("Some ");
                Print(type.GetProperty("Value")?.GetValue(value), sb, depth + 1);
            }
            else sb.Append("ValueNone");
            return;
        }
        if (value is string str) { sb.Append('"').Append(str).Append('"'); return; }
        if (value is IEnumerable items)
        {
            var (open, close) = type.IsArray ? ("[|", "|]") : type.Name.StartsWith("FSharpMap", StringComparison.Ordinal) ? ("map [", "]")
                : type.Name.StartsWith("FSharpSet", StringComparison.Ordinal) ? ("set [", "]") : ("[", "]");
            sb.Append(open);
            var n = 0;
            foreach (var item in items)
            {
                if (n > 0) sb.Append("; ");
                if (n++ == maxItems) { sb.Append("..."); break; }
                Print(item, sb, depth + 1);
            }
            sb.Append(close);
            return;
        }
        sb.Append(Safe(() => value.ToString()) ?? type.Name);
    }
}
