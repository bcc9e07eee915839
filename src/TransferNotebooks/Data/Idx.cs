using System.Buffers.Binary;
using System.IO.Compression;

namespace TransferNotebooks.Data;

/// <summary>Reads IDX files (the MNIST format), gzip-compressed or plain, unsigned-byte data only.</summary>
public static class Idx
{
    /// <summary>An IDX array: its dimensions and its bytes in row-major order.</summary>
    /// <param name="Shape">Dimensions, for example [10000, 28, 28].</param>
    /// <param name="Data">The values.</param>
    public sealed record IdxArray(int[] Shape, byte[] Data);

    /// <summary>Reads an IDX file; <c>.gz</c> files are decompressed on the fly.</summary>
    /// <exception cref="InvalidDataException">The file is not an unsigned-byte IDX file or is truncated.</exception>
    public static IdxArray Read(string path)
    {
        using var file = File.OpenRead(path);
        using Stream stream = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? new GZipStream(file, CompressionMode.Decompress) : file;
        try { return Read(stream, path); }
        catch (InvalidDataException e) when (e.Message.Contains("gzip", StringComparison.OrdinalIgnoreCase) || e.InnerException is not null)
        {
            throw new InvalidDataException($"'{path}' is not a valid gzip file ({e.Message}); delete it so it is downloaded again.", e);
        }
    }

    /// <summary>Reads an IDX array from a stream (already decompressed).</summary>
    public static IdxArray Read(Stream stream, string name = "stream")
    {
        Span<byte> header = stackalloc byte[4];
        ReadExactly(stream, header, name);
        if (header[0] != 0 || header[1] != 0 || header[2] != 0x08)
            throw new InvalidDataException($"'{name}' is not an unsigned-byte IDX file (magic {Convert.ToHexString(header)}, expected 000008xx).");
        int rank = header[3];
        if (rank is < 1 or > 4) throw new InvalidDataException($"'{name}' declares {rank} dimensions; IDX files have 1 to 4.");
        var dims = new int[rank];
        Span<byte> four = stackalloc byte[4];
        long total = 1;
        for (int i = 0; i < rank; i++)
        {
            ReadExactly(stream, four, name);
            dims[i] = BinaryPrimitives.ReadInt32BigEndian(four);
            total *= dims[i];
        }
        if (total > int.MaxValue) throw new InvalidDataException($"'{name}' is too large ({total} values).");
        var data = GC.AllocateUninitializedArray<byte>((int)total);
        ReadExactly(stream, data, name);
        return new IdxArray(dims, data);
    }

    static void ReadExactly(Stream s, Span<byte> buffer, string name)
    {
        try { s.ReadExactly(buffer); }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException($"'{name}' is truncated (ended before {buffer.Length} more bytes); delete it so it is downloaded again.", e);
        }
    }
}
