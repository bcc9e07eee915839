using System.Text;
using System.Text.Json.Nodes;
using TransferNotebooks.Kernel.Protocol;

namespace TransferNotebooks.Kernel.Tests.Protocol;

public class WireCodecTests
{
    readonly MessageSigner signer = new("key");

    static Message Sample() => new()
    {
        Identities = ["peer-1"u8.ToArray(), "peer-2"u8.ToArray()],
        Header = Message.NewHeader("execute_request", "s1"),
        Content = new JsonObject { ["code"] = "printfn \"é\"", ["silent"] = false },
        Buffers = [[1, 2, 3]],
    };

    [Fact]
    public void Encode_lays_out_identities_delimiter_signature_four_parts_then_buffers()
    {
        var frames = WireCodec.Encode(Sample(), signer);
        Assert.Equal(2 + 1 + 1 + 4 + 1, frames.Count);
        Assert.Equal("<IDS|MSG>", Encoding.ASCII.GetString(frames[2]));
        Assert.Equal(signer.Sign(frames.Skip(4).Take(4).ToList()), Encoding.ASCII.GetString(frames[3]));
        Assert.Equal(new byte[] { 1, 2, 3 }, frames[^1]);
    }

    [Fact]
    public void Decode_round_trips()
    {
        var sample = Sample();
        var decoded = WireCodec.Decode(WireCodec.Encode(sample, signer), signer, out var error);
        Assert.Null(error);
        Assert.NotNull(decoded);
        Assert.Equal("execute_request", decoded.MsgType);
        Assert.Equal(sample.MsgId, decoded.MsgId);
        Assert.Equal("printfn \"é\"", Message.Str(decoded.Content, "code"));
        Assert.Equal(2, decoded.Identities.Count);
        Assert.Single(decoded.Buffers);
    }

    [Fact]
    public void Decode_rejects_bad_signature_unsigned_and_malformed_frames()
    {
        var frames = WireCodec.Encode(Sample(), new MessageSigner("wrong"));
        Assert.Null(WireCodec.Decode(frames, signer, out var error));
        Assert.Equal("invalid signature", error);

        var unsigned = WireCodec.Encode(Sample(), new MessageSigner(""));
        Assert.Null(WireCodec.Decode(unsigned, signer, out error));
        Assert.Equal("unsigned message", error);

        Assert.Null(WireCodec.Decode(["a"u8.ToArray()], signer, out error));
        Assert.Contains("delimiter", error);

        Assert.Null(WireCodec.Decode(["<IDS|MSG>"u8.ToArray(), ""u8.ToArray()], signer, out error));
        Assert.Contains("too few frames", error);
    }

    [Fact]
    public void Reply_carries_the_parent_header_and_identities()
    {
        var request = Sample();
        var reply = Message.Reply(request, "execute_reply", "kernel-session", new JsonObject { ["status"] = "ok" });
        Assert.Equal(request.MsgId, Message.Str(reply.ParentHeader, "msg_id"));
        Assert.Equal("kernel-session", reply.Session);
        Assert.Equal("5.3", Message.Str(reply.Header, "version"));
        Assert.Same(request.Identities, reply.Identities);
        Assert.Empty(Message.Reply(request, "status", "k", [], keepIdentities: false).Identities);
    }
}
