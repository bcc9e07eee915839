using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Formatting;
using TransferNotebooks.Hosting;

namespace TransferNotebooks.Interactive;

/// <summary>
/// The library's <see cref="IDisplayHost"/> over .NET Interactive: <see cref="Show"/> displays a <see cref="MimeBundle"/> in the
/// running cell's output (<c>KernelInvocationContext.Display</c>) and the handle updates that same output in place
/// (<see cref="DisplayedValue.Update"/>). Outside a running cell (a background thread) output falls back to the console.
/// </summary>
public sealed class InteractiveDisplayHost : IDisplayHost
{
    readonly ConsoleDisplayHost console = new();

    /// <inheritdoc />
    public bool IsNotebook => true;

    /// <inheritdoc />
    public IDisplayHandle Show(MimeBundle content)
    {
        var context = KernelInvocationContext.Current;
        if (context is null) return console.Show(content);
        var shown = context.Display(content, MimeBundleContent.MimeTypes(content));
        return new Handle(shown);
    }

    /// <inheritdoc />
    public override string ToString() => ".NET Interactive display host";

    sealed class Handle(DisplayedValue shown) : IDisplayHandle
    {
        public void Update(MimeBundle content) => shown.Update(content);
    }
}
