using System.Security.Cryptography;
using System.Text;

namespace TransferNotebooks.Kernel.Protocol;

/// <summary>
/// HMAC-SHA256 signatures of Jupyter messages: lowercase hex of the MAC over the header, parent header, metadata and
/// content frames. An empty key disables signing (signature ""), as the protocol specifies.
/// </summary>
public sealed class MessageSigner
{
    readonly byte[] key;

    public MessageSigner(string key, string scheme = "hmac-sha256")
    {
        if (key.Length > 0 && scheme != "hmac-sha256")
            throw new NotSupportedException($"Signature scheme '{scheme}' is not supported (only hmac-sha256).");
        this.key = Encoding.UTF8.GetBytes(key);
    }

    /// <summary>False when the key is empty (authentication disabled).</summary>
    public bool Enabled => key.Length > 0;

    /// <summary>The signature of the four frames, in order.</summary>
    public string Sign(IReadOnlyList<byte[]> frames)
    {
        if (!Enabled) return "";
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key);
        foreach (var f in frames) hmac.AppendData(f);
        return Convert.ToHexStringLower(hmac.GetHashAndReset());
    }

    /// <summary>True when <paramref name="signature"/> is the signature of the frames (compared in constant time).</summary>
    public bool Verify(string signature, IReadOnlyList<byte[]> frames)
    {
        if (!Enabled) return true;
        if (signature.Length == 0) return false;
        var expected = Encoding.ASCII.GetBytes(Sign(frames));
        var actual = Encoding.ASCII.GetBytes(signature.ToLowerInvariant());
        return CryptographicOperations.FixedTimeEquals(expected, actual);
    }
}
