using System.Text.Json.Nodes;

namespace TransferNotebooks.Kernel.Protocol;

/// <summary>One Jupyter message (protocol 5.3): routing identities, the four JSON parts and binary buffers.</summary>
public sealed class Message
{
    public const string ProtocolVersion = "5.3";

    public List<byte[]> Identities { get; init; } = [];
    public required JsonObject Header { get; init; }
    public JsonObject ParentHeader { get; init; } = [];
    public JsonObject Metadata { get; init; } = [];
    public JsonObject Content { get; init; } = [];
    public List<byte[]> Buffers { get; init; } = [];

    public string MsgType => Str(Header, "msg_type");
    public string MsgId => Str(Header, "msg_id");
    public string Session => Str(Header, "session");

    /// <summary>A new header for a message of <paramref name="msgType"/> in <paramref name="session"/>.</summary>
    public static JsonObject NewHeader(string msgType, string session) => new()
    {
        ["msg_id"] = Guid.NewGuid().ToString("N"),
        ["session"] = session,
        ["username"] = "kernel",
        ["date"] = DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'"),
        ["msg_type"] = msgType,
        ["version"] = ProtocolVersion,
    };

    /// <summary>A message caused by <paramref name="parent"/> (its header becomes the parent header; identities are kept for replies).</summary>
    public static Message Reply(Message? parent, string msgType, string session, JsonObject content, bool keepIdentities = true) => new()
    {
        Identities = keepIdentities && parent is not null ? parent.Identities : [],
        Header = NewHeader(msgType, session),
        ParentHeader = parent is null ? [] : (JsonObject)parent.Header.DeepClone(),
        Content = content,
    };

    /// <summary>The string member <paramref name="name"/> of <paramref name="o"/>, or "".</summary>
    public static string Str(JsonObject o, string name) =>
        o.TryGetPropertyValue(name, out var v) && v is JsonValue jv && jv.TryGetValue<string>(out var s) ? s : "";

    /// <summary>The boolean member <paramref name="name"/> of <paramref name="o"/>, or <paramref name="fallback"/>.</summary>
    public static bool Bool(JsonObject o, string name, bool fallback) =>
        o.TryGetPropertyValue(name, out var v) && v is JsonValue jv && jv.TryGetValue<bool>(out var b) ? b : fallback;

    /// <summary>The integer member <paramref name="name"/> of <paramref name="o"/>, or <paramref name="fallback"/>.</summary>
    public static int Int(JsonObject o, string name, int fallback) =>
        o.TryGetPropertyValue(name, out var v) && v is JsonValue jv && jv.TryGetValue<int>(out var i) ? i : fallback;
}
