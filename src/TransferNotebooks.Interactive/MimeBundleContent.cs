using System.Net;
using TransferNotebooks.Hosting;

namespace TransferNotebooks.Interactive;

/// <summary>What .NET Interactive is asked to show for a library <see cref="MimeBundle"/>.</summary>
static class MimeBundleContent
{
    /// <summary>text/html when the bundle has it, always text/plain.</summary>
    public static string[] MimeTypes(MimeBundle bundle) =>
        bundle.Data.ContainsKey(TransferNotebooksKernelExtension.HtmlMimeType)
            ? [TransferNotebooksKernelExtension.HtmlMimeType, TransferNotebooksKernelExtension.PlainTextMimeType]
            : [TransferNotebooksKernelExtension.PlainTextMimeType];

    /// <summary>The bundle's HTML, or its plain text as preformatted HTML.</summary>
    public static string Html(MimeBundle bundle) =>
        bundle.Data.TryGetValue(TransferNotebooksKernelExtension.HtmlMimeType, out var html)
            ? html
            : "<pre>" + WebUtility.HtmlEncode(bundle.PlainText) + "</pre>";
}
