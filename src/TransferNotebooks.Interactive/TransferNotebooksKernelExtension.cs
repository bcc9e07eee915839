using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Commands;
using Microsoft.DotNet.Interactive.Formatting;
using TransferNotebooks.Display;
using TransferNotebooks.Hosting;

namespace TransferNotebooks.Interactive;

/// <summary>
/// Loaded by .NET Interactive (Polyglot Notebooks, the <c>.net-fsharp</c> / <c>.net-csharp</c> Jupyter kernels) when a
/// notebook references the TransferNotebooks package: registers the library's formatters, routes its live display
/// (progress bar, live learning curves, download progress) through .NET Interactive's display-and-update mechanism, and
/// connects the notebook's stop button to <see cref="Interruption"/> so <c>Fit</c> stops after the current batch.
/// </summary>
public sealed class TransferNotebooksKernelExtension : IKernelExtension
{
    /// <inheritdoc />
    public Task OnLoadAsync(Kernel kernel)
    {
        // .NET Interactive skips the package's build targets and content/*.fsx. Loading this extension loads the library, whose
        // module initializer (NativeSetup) makes TorchSharp's shim loadable before any cell can call torch.*.
        DisplayRegistration.EnsureRegistered();
        Formatter.Register<MimeBundle>((bundle, writer) => writer.Write(MimeBundleContent.Html(bundle)), HtmlMimeType);
        Formatter.Register<MimeBundle>((bundle, writer) => writer.Write(bundle.PlainText), PlainTextMimeType);
        DisplayHost.Current = new InteractiveDisplayHost();
        var root = kernel.RootKernel;
        root.AddMiddleware(async (command, context, next) =>
        {
            // Only a cell (SubmitCode) gets a fresh stop button, and only the outermost one: the Cancel command itself, and the
            // completions, hover and diagnostics requests an editor sends while a cell trains, pass through here too and must
            // not replace the token the running Fit observes.
            if (command is not SubmitCode || context.Command != command)
            {
                await next(command, context);
                return;
            }
            Interruption.Reset();
            using var stop = context.CancellationToken.Register(Interruption.Interrupt);
            await next(command, context);
        }, "TransferNotebooks.Interruption");
        return Task.CompletedTask;
    }

    internal const string HtmlMimeType = "text/html";
    internal const string PlainTextMimeType = "text/plain";
}
