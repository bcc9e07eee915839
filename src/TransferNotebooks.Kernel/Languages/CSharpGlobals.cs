using TransferNotebooks.Kernel.Display;

namespace TransferNotebooks.Kernel.Languages;

/// <summary>What C# cells and scripts see as globals: <c>display(x)</c>, <c>HTML("...")</c> and dotnet-script's <c>Args</c>.</summary>
public class CSharpGlobals(IReadOnlyList<string> args)
{
    /// <summary>The script's command-line arguments (after the script's path); empty in a notebook.</summary>
    public IList<string> Args { get; } = args.ToList().AsReadOnly();

    /// <summary>Shows <paramref name="value"/> now; the returned handle can update it in place.</summary>
    public DisplayedValue display(object? value) => Notebook.Display(value);

    /// <summary>Raw HTML to display.</summary>
    public HtmlContent HTML(string html) => Notebook.Html(html);
}
