using System.Security.Cryptography;
using System.Text;
using TransferNotebooks.Kernel.Protocol;

namespace TransferNotebooks.Kernel.Tests.Protocol;

public class MessageSignerTests
{
    static readonly byte[][] Frames = ["{\"msg_type\":\"x\"}"u8.ToArray(), "{}"u8.ToArray(), "{}"u8.ToArray(), "{\"code\":\"1\"}"u8.ToArray()];

    [Fact]
    public void Signature_is_lowercase_hex_hmac_sha256_of_the_concatenated_frames()
    {
        var expected = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes("secret"), Frames.SelectMany(f => f).ToArray()));
        var signature = new MessageSigner("secret").Sign(Frames);
        Assert.Equal(expected, signature);
        Assert.Equal(64, signature.Length);
        Assert.Equal(signature.ToLowerInvariant(), signature);
    }

    [Fact]
    public void Verify_accepts_the_right_signature_and_rejects_wrong_or_missing_ones()
    {
        var signer = new MessageSigner("secret");
        var signature = signer.Sign(Frames);
        Assert.True(signer.Verify(signature, Frames));
        Assert.True(signer.Verify(signature.ToUpperInvariant(), Frames));
        Assert.False(signer.Verify(new MessageSigner("other").Sign(Frames), Frames));
        Assert.False(signer.Verify("", Frames));
        Assert.False(signer.Verify(signature[..^1], Frames));
        var tampered = Frames.ToArray();
        tampered[3] = "{\"code\":\"2\"}"u8.ToArray();
        Assert.False(signer.Verify(signature, tampered));
    }

    [Fact]
    public void Empty_key_disables_signing()
    {
        var signer = new MessageSigner("");
        Assert.False(signer.Enabled);
        Assert.Equal("", signer.Sign(Frames));
        Assert.True(signer.Verify("", Frames));
    }

    [Fact]
    public void Unknown_scheme_is_refused() =>
        Assert.Throws<NotSupportedException>(() => new MessageSigner("k", "hmac-md5"));
}
