using System.Text.Json.Nodes;

namespace TransferNotebooks.Kernel.Display;

/// <summary>Where displays go: the kernel, which sends display_data / update_display_data for the running cell.</summary>
public interface IDisplaySink
{
    /// <summary>Sends display_data for <paramref name="data"/> (MIME type to content) and returns its display_id.</summary>
    string Show(JsonObject data);

    /// <summary>Sends update_display_data for the display <paramref name="displayId"/>.</summary>
    void Update(string displayId, JsonObject data);
}

/// <summary>The notebook API that cells call: <c>display(x)</c> and <c>HTML("...")</c> in both languages.</summary>
public static class Notebook
{
    /// <summary>The kernel's sink (null outside a kernel: displays are printed as plain text).</summary>
    public static IDisplaySink? Sink { get; set; }

    /// <summary>Shows <paramref name="value"/> (rendered by the registered formatters); the handle updates it in place.</summary>
    public static DisplayedValue Display(object? value)
    {
        var data = DisplayFormatter.Format(value);
        if (Sink is null)
        {
            Console.WriteLine(data["text/plain"]?.ToString());
            return new DisplayedValue("");
        }
        return new DisplayedValue(Sink.Show(data));
    }

    /// <summary>Raw HTML to display.</summary>
    public static HtmlContent Html(string html) => new(html);
}

/// <summary>A display that can be replaced in place.</summary>
public sealed class DisplayedValue(string displayId)
{
    /// <summary>Jupyter's display_id.</summary>
    public string DisplayId => displayId;

    /// <summary>Replaces the display's content with <paramref name="value"/>.</summary>
    public void Update(object? value)
    {
        var data = DisplayFormatter.Format(value);
        if (Notebook.Sink is null) Console.WriteLine(data["text/plain"]?.ToString());
        else Notebook.Sink.Update(displayId, data);
    }

    public override string ToString() => $"display {displayId}";
}

/// <summary>HTML shown as is.</summary>
public sealed record HtmlContent(string Html)
{
    public override string ToString() => Html;
}
