using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace TransferNotebooks.Kernel.Protocol;

/// <summary>
/// Jupyter's wire format: identities, the "&lt;IDS|MSG&gt;" delimiter, the signature, header, parent header, metadata,
/// content, then buffers. Decoding checks the signature over the frames exactly as received.
/// </summary>
public static class WireCodec
{
    static readonly byte[] Delimiter = "<IDS|MSG>"u8.ToArray();

    /// <summary>The frames of <paramref name="message"/>, signed by <paramref name="signer"/>.</summary>
    public static List<byte[]> Encode(Message message, MessageSigner signer)
    {
        var parts = new List<byte[]>
        {
            Json(message.Header), Json(message.ParentHeader), Json(message.Metadata), Json(message.Content),
        };
        var frames = new List<byte[]>(message.Identities.Count + 6 + message.Buffers.Count);
        frames.AddRange(message.Identities);
        frames.Add(Delimiter);
        frames.Add(Encoding.ASCII.GetBytes(signer.Sign(parts)));
        frames.AddRange(parts);
        frames.AddRange(message.Buffers);
        return frames;
    }

    /// <summary>Decodes <paramref name="frames"/>; on failure returns null and the reason (bad signature, malformed frames).</summary>
    public static Message? Decode(IReadOnlyList<byte[]> frames, MessageSigner signer, out string? error)
    {
        error = null;
        var d = -1;
        for (var i = 0; i < frames.Count; i++)
            if (frames[i].AsSpan().SequenceEqual(Delimiter)) { d = i; break; }
        if (d < 0) { error = "no <IDS|MSG> delimiter"; return null; }
        if (frames.Count < d + 6) { error = $"too few frames ({frames.Count - d - 1} after the delimiter, need 5)"; return null; }
        var signature = Encoding.ASCII.GetString(frames[d + 1]);
        var parts = new[] { frames[d + 2], frames[d + 3], frames[d + 4], frames[d + 5] };
        if (!signer.Verify(signature, parts))
        {
            error = signature.Length == 0 ? "unsigned message" : "invalid signature";
            return null;
        }
        try
        {
            return new Message
            {
                Identities = frames.Take(d).ToList(),
                Header = ParseObject(parts[0]),
                ParentHeader = ParseObject(parts[1]),
                Metadata = ParseObject(parts[2]),
                Content = ParseObject(parts[3]),
                Buffers = frames.Skip(d + 6).ToList(),
            };
        }
        catch (JsonException e)
        {
            error = "malformed JSON: " + e.Message;
            return null;
        }
    }

    static JsonObject ParseObject(byte[] utf8) =>
        utf8.Length == 0 ? [] : JsonNode.Parse(utf8) as JsonObject ?? [];

    static byte[] Json(JsonObject o) => Encoding.UTF8.GetBytes(o.ToJsonString());
}
