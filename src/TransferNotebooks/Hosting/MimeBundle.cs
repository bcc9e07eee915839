namespace TransferNotebooks.Hosting;

/// <summary>One displayable thing in several representations, keyed by MIME type (as Jupyter's display_data carries it).</summary>
/// <param name="Data">MIME type to content, for example <c>text/plain</c> and <c>text/html</c>.</param>
public sealed record MimeBundle(IReadOnlyDictionary<string, string> Data)
{
    /// <summary>Plain text only.</summary>
    public static MimeBundle Text(string text) => new(new Dictionary<string, string> { ["text/plain"] = text });

    /// <summary>HTML with a plain-text fallback.</summary>
    public static MimeBundle Html(string html, string plainText) =>
        new(new Dictionary<string, string> { ["text/html"] = html, ["text/plain"] = plainText });

    /// <summary>The plain-text form (empty when absent).</summary>
    public string PlainText => Data.TryGetValue("text/plain", out var t) ? t : "";
}
