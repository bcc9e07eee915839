using PureHDF;

namespace TransferNotebooks.Models.KerasImport;

/// <summary>A weight array read from a Keras file: Keras's name for it, its values (float32) and Keras's shape.</summary>
internal sealed record SavedWeight(string Name, float[] Values, long[] Shape)
{
    public string ShapeText => "(" + string.Join(", ", Shape) + ")";
}

/// <summary>The small part of HDF5 the Keras importer needs, over PureHDF: string attributes, string lists and float datasets.</summary>
internal static class KerasHdf5
{
    /// <summary>The 8-byte signature every HDF5 file starts with (at offset 0, 512, 1024, ... when a user block precedes it).</summary>
    public static readonly byte[] Signature = [0x89, (byte)'H', (byte)'D', (byte)'F', (byte)'\r', (byte)'\n', 0x1a, (byte)'\n'];

    /// <summary>True when the stream holds the HDF5 signature at one of the offsets HDF5 allows.</summary>
    public static bool HasSignature(Stream s) => SignatureOffset(s) >= 0;

    static long SignatureOffset(Stream s)
    {
        var buffer = new byte[8];
        for (long offset = 0; offset + 8 <= s.Length && offset <= 8192; offset = offset == 0 ? 512 : offset * 2)
        {
            s.Position = offset;
            if (s.ReadAtLeast(buffer, 8, throwOnEndOfStream: false) == 8 && buffer.AsSpan().SequenceEqual(Signature)) return offset;
        }
        return -1;
    }

    /// <summary>
    /// Detects a truncated file before any object is read: the superblock records the end-of-file address, and a file shorter
    /// than that lost its tail (where HDF5 writers often put attribute heaps and late datasets).
    /// </summary>
    /// <exception cref="InvalidDataException">The stream is shorter than the superblock says.</exception>
    public static void CheckNotTruncated(Stream s, string source)
    {
        long sig = SignatureOffset(s);
        if (sig < 0) throw new InvalidDataException($"'{source}' is not an HDF5 file.");
        s.Position = sig + 8;
        var head = new byte[64];
        int n = s.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        if (n < 16) throw new InvalidDataException($"'{source}' is truncated: its HDF5 superblock is incomplete.");
        int version = head[0];
        // Superblock v0/v1: offsets size at byte 5 after the signature, then base, free-space, end-of-file addresses after
        // 16 (v0) or 20 (v1) bytes. Superblock v2/v3: offsets size at byte 1, then base, extension, end-of-file addresses after 4 bytes.
        int offsetSize = version <= 1 ? head[5] : head[1];
        int eofAt = version switch { 0 => 16 + 2 * offsetSize, 1 => 20 + 2 * offsetSize, _ => 4 + 2 * offsetSize };
        if (offsetSize is not (2 or 4 or 8) || eofAt + offsetSize > n) return; // unusual layout: let the reader judge
        ulong eof = 0;
        for (int i = offsetSize - 1; i >= 0; i--) eof = (eof << 8) | head[eofAt + i];
        int baseAt = version <= 1 ? eofAt - 2 * offsetSize : 4;
        ulong baseAddress = 0;
        for (int i = offsetSize - 1; i >= 0; i--) baseAddress = (baseAddress << 8) | head[baseAt + i];
        if (eof != ulong.MaxValue >> (64 - 8 * offsetSize) && baseAddress + eof > (ulong)s.Length)
            throw new InvalidDataException($"'{source}' is truncated: it has {s.Length} bytes but its HDF5 superblock says {baseAddress + eof}.");
    }

    /// <summary>A scalar string attribute (fixed or variable length), or null when absent.</summary>
    public static string? StringAttribute(IH5Object obj, string name)
    {
        if (!obj.AttributeExists(name)) return null;
        var a = obj.Attribute(name);
        if (a.Type.Class is not (H5DataTypeClass.String or H5DataTypeClass.VariableLength)) return null;
        if (a.Space.Rank != 0 && a.Space.Dimensions.Aggregate(1UL, (x, y) => x * y) != 1) return null;
        var text = a.Space.Rank == 0 ? a.Read<string>() : a.Read<string[]>()[0];
        return text.TrimEnd('\0'); // fixed-length strings may be NUL-padded
    }

    /// <summary>
    /// A list of strings stored the way Keras stores <c>layer_names</c> and <c>weight_names</c>: one attribute, or several
    /// (<c>name0</c>, <c>name1</c>, ...) when the list was too large for one; an empty list is stored as an empty float array.
    /// </summary>
    public static List<string> StringList(IH5Object obj, string name)
    {
        var result = new List<string>();
        if (obj.AttributeExists(name)) result.AddRange(ReadStrings(obj.Attribute(name)));
        else
            for (int chunk = 0; obj.AttributeExists(name + chunk); chunk++) result.AddRange(ReadStrings(obj.Attribute(name + chunk)));
        return result;
    }

    static IEnumerable<string> ReadStrings(IH5Attribute a)
    {
        if (a.Type.Class is not (H5DataTypeClass.String or H5DataTypeClass.VariableLength)) return [];
        if (a.Space.Rank == 0) return [a.Read<string>()];
        return a.Read<string[]>().Select(s => s.TrimEnd('\0'));
    }

    /// <summary>Reads a floating-point dataset as float32 with its shape.</summary>
    public static SavedWeight ReadWeight(IH5Group group, string path, string name)
    {
        var ds = group.Dataset(path);
        var shape = ds.Space.Dimensions.Select(d => (long)d).ToArray();
        if (ds.Type.Class != H5DataTypeClass.FloatingPoint)
            throw new InvalidDataException($"Weight '{path}' is stored as {ds.Type.Class}, not as floating-point numbers; quantized weights are not supported.");
        float[] values = ds.Type.Size switch
        {
            4 => ds.Read<float[]>(),
            8 => ds.Read<double[]>().Select(v => (float)v).ToArray(),
            2 => ds.Read<Half[]>().Select(v => (float)v).ToArray(),
            _ => throw new InvalidDataException($"Weight '{path}' uses {ds.Type.Size}-byte floats, which are not supported."),
        };
        return new SavedWeight(name, values, shape);
    }
}
