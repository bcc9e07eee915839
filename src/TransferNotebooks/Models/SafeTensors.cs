using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using static TorchSharp.torch;

namespace TransferNotebooks.Models;

/// <summary>
/// Reads and writes the safetensors format (an 8-byte header length, a JSON header of name to dtype/shape/offsets, then raw
/// little-endian data; the header is written with <see cref="Utf8JsonWriter"/>, no reflection): the weights part of our model files, readable by Python's <c>safetensors</c> and PyTorch tooling.
/// </summary>
public static class SafeTensors
{
    /// <summary>Writes named tensors (float32, float64, int64, int32, uint8) to a stream.</summary>
    public static void Write(Stream stream, IReadOnlyDictionary<string, Tensor> tensors)
    {
        var header = new ArrayBufferWriter<byte>();
        var blobs = new List<byte[]>();
        long offset = 0;
        using (var json = new Utf8JsonWriter(header))
        {
            json.WriteStartObject();
            foreach (var (name, t) in tensors)
            {
                using var c = t.detach().cpu().contiguous();
                var bytes = c.bytes.ToArray();
                json.WriteStartObject(name);
                json.WriteString("dtype", DtypeName(c.dtype));
                WriteNumbers(json, "shape", c.shape);
                WriteNumbers(json, "data_offsets", [offset, offset + bytes.Length]);
                json.WriteEndObject();
                blobs.Add(bytes);
                offset += bytes.Length;
            }
            json.WriteEndObject();
        }
        var jsonBytes = header.WrittenSpan;
        int pad = (8 - jsonBytes.Length % 8) % 8;
        var headerBytes = new byte[jsonBytes.Length + pad];
        jsonBytes.CopyTo(headerBytes);
        headerBytes.AsSpan(jsonBytes.Length).Fill((byte)' ');
        Span<byte> len = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(len, (ulong)headerBytes.Length);
        stream.Write(len);
        stream.Write(headerBytes);
        foreach (var b in blobs) stream.Write(b);
    }

    static void WriteNumbers(Utf8JsonWriter json, string name, ReadOnlySpan<long> values)
    {
        json.WriteStartArray(name);
        foreach (var v in values) json.WriteNumberValue(v);
        json.WriteEndArray();
    }

    /// <summary>Reads every tensor of a safetensors stream.</summary>
    /// <exception cref="InvalidDataException">The stream is not safetensors or is truncated.</exception>
    public static Dictionary<string, Tensor> Read(Stream stream, string name = "weights")
    {
        using var ms = new MemoryStream();
        stream.CopyTo(ms);
        var all = ms.GetBuffer().AsSpan(0, (int)ms.Length);
        if (all.Length < 8) throw new InvalidDataException($"'{name}' is truncated: no safetensors header.");
        ulong headerLen = BinaryPrimitives.ReadUInt64LittleEndian(all);
        if (headerLen > (ulong)all.Length - 8) throw new InvalidDataException($"'{name}' is truncated or not a safetensors file (header of {headerLen} bytes in a {all.Length}-byte file).");
        JsonDocument doc;
        try { doc = JsonDocument.Parse(Encoding.UTF8.GetString(all.Slice(8, (int)headerLen))); }
        catch (JsonException e) { throw new InvalidDataException($"'{name}' has a corrupt safetensors header: {e.Message}", e); }
        var data = all[(8 + (int)headerLen)..];
        var result = new Dictionary<string, Tensor>();
        using (doc)
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                if (p.Name == "__metadata__") continue;
                var dtype = DtypeOf(p.Value.GetProperty("dtype").GetString()!);
                var shape = p.Value.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()).ToArray();
                var offs = p.Value.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt64()).ToArray();
                if (offs[1] > data.Length || offs[0] > offs[1])
                    throw new InvalidDataException($"'{name}' is truncated: tensor '{p.Name}' ends at byte {offs[1]} of {data.Length}.");
                var t = empty(shape, dtype);
                data.Slice((int)offs[0], (int)(offs[1] - offs[0])).CopyTo(t.bytes);
                result[p.Name] = t.DetachFromDisposeScope();
            }
        return result;
    }

    static string DtypeName(ScalarType t) => t switch
    {
        ScalarType.Float32 => "F32", ScalarType.Float64 => "F64", ScalarType.Int64 => "I64", ScalarType.Int32 => "I32", ScalarType.Byte => "U8",
        _ => throw new NotSupportedException($"Cannot save tensors of type {t}; convert them to float32 first."),
    };

    static ScalarType DtypeOf(string s) => s switch
    {
        "F32" => ScalarType.Float32, "F64" => ScalarType.Float64, "I64" => ScalarType.Int64, "I32" => ScalarType.Int32, "U8" => ScalarType.Byte,
        _ => throw new InvalidDataException($"Unsupported safetensors dtype '{s}' (supported: F32, F64, I64, I32, U8)."),
    };
}
