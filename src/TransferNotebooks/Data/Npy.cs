using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.RegularExpressions;
using TransferNotebooks.Native;
using static TorchSharp.torch;

namespace TransferNotebooks.Data;

/// <summary>
/// Reads and writes NumPy <c>.npy</c> files and <c>.npz</c> archives as tensors: booleans, signed and unsigned integers,
/// float16/32/64, little- or big-endian, C or Fortran order. Pickled object arrays, strings and structured arrays are
/// refused with a clear error (nothing from the file is ever executed).
/// </summary>
/// <remarks>Unsigned 16/32-bit arrays become int32/int64 tensors (torch has no such types); uint64 becomes int64 and fails if a value does not fit.</remarks>
public static partial class Npy
{
    static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>Reads a <c>.npy</c> file.</summary>
    /// <exception cref="InvalidDataException">Not a .npy file, an unsupported dtype (object, string, structured) or truncated; the message says which.</exception>
    public static Tensor Load(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        return Read(stream, path);
    }

    /// <summary>Reads every array of an <c>.npz</c> archive (compressed or not), keyed by name without <c>.npy</c> (for example <c>x_train</c>).</summary>
    public static IReadOnlyDictionary<string, Tensor> LoadNpz(string path)
    {
        using var zip = ZipFile.OpenRead(path);
        var result = new Dictionary<string, Tensor>();
        foreach (var entry in zip.Entries)
        {
            if (!entry.FullName.EndsWith(".npy", StringComparison.OrdinalIgnoreCase)) continue;
            using var s = entry.Open();
            var buffer = new MemoryStream(checked((int)entry.Length));
            s.CopyTo(buffer);
            buffer.Position = 0;
            result[entry.FullName[..^4]] = Read(buffer, $"{path}:{entry.FullName}");
        }
        if (result.Count == 0) throw new InvalidDataException($"'{path}' holds no .npy arrays.");
        return result;
    }

    /// <summary>
    /// Reads the training and test sets of an <c>.npz</c> archive in Keras's layout (<c>x_train</c>, <c>y_train</c>, <c>x_test</c>,
    /// <c>y_test</c>, as in Keras's <c>mnist.npz</c>): <c>var (train, test) = Npy.Load("mnist.npz", "train", "test");</c> in C#,
    /// <c>let train, test = Npy.Load("mnist.npz", "train", "test")</c> in F#. Integer labels become int64.
    /// </summary>
    /// <param name="path">The <c>.npz</c> file.</param>
    /// <param name="train">The suffix of the training arrays: <c>x_</c>+train and <c>y_</c>+train.</param>
    /// <param name="test">The suffix of the test arrays.</param>
    /// <exception cref="KeyNotFoundException">An array is missing; the message lists those the file has.</exception>
    public static Tuple<Dataset, Dataset> Load(string path, string train, string test)
    {
        var first = LoadDataset(path, "x_" + train, "y_" + train);
        try { return Tuple.Create(first, LoadDataset(path, "x_" + test, "y_" + test)); }
        catch { first.Dispose(); throw; }
    }

    /// <summary>
    /// Reads two arrays of an <c>.npz</c> archive as a dataset, for example
    /// <c>Npy.LoadDataset("mnist.npz", "x_train", "y_train")</c>. Integer labels become int64.
    /// </summary>
    /// <param name="path">The <c>.npz</c> file.</param>
    /// <param name="xKey">The features' array name (without <c>.npy</c>).</param>
    /// <param name="yKey">The labels' array name.</param>
    /// <exception cref="KeyNotFoundException">An array is missing; the message lists those the file has.</exception>
    public static Dataset LoadDataset(string path, string xKey = "x", string yKey = "y")
    {
        var npzPath = path;
        var arrays = LoadNpz(npzPath);
        if (!arrays.TryGetValue(xKey, out var x) || !arrays.TryGetValue(yKey, out var y))
        {
            foreach (var t in arrays.Values) t.Dispose();
            throw new KeyNotFoundException($"'{npzPath}' has arrays [{string.Join(", ", arrays.Keys)}]; '{xKey}' and '{yKey}' were asked for.");
        }
        foreach (var (key, t) in arrays)
            if (key != xKey && key != yKey) t.Dispose();
        if (y.dtype is ScalarType.Byte or ScalarType.Int8 or ScalarType.Int16 or ScalarType.Int32)
        {
            var y64 = y.to_type(ScalarType.Int64);
            y.Dispose();
            y = y64;
        }
        return new Dataset(x, y);
    }

    /// <summary>Reads a <c>.npy</c> array from a stream.</summary>
    public static Tensor Read(Stream stream, string name = "stream")
    {
        NativeSetup.EnsureTorch();
        var header = ReadHeader(stream, name);
        var (type, size, convert) = ParseDescr(header.Descr, name);
        long count = header.Shape.Aggregate(1L, (a, b) => a * b);
        long byteCount = count * size;
        if (byteCount > int.MaxValue) throw new InvalidDataException($"'{name}' is too large ({byteCount:N0} bytes) to read in one piece.");
        var data = GC.AllocateUninitializedArray<byte>((int)byteCount);
        try { stream.ReadExactly(data); }
        catch (EndOfStreamException e) { throw new InvalidDataException($"'{name}' is truncated: the header announces shape ({string.Join(", ", header.Shape)}) of {header.Descr}, {byteCount:N0} bytes of data.", e); }
        bool swap = header.Descr[0] == '>' && size > 1 && BitConverter.IsLittleEndian;
        if (swap) SwapBytes(data, size);
        var shape = header.FortranOrder ? header.Shape.Reverse().ToArray() : header.Shape;
        Tensor t;
        if (convert is not null)
        {
            t = convert(data, shape, name);
        }
        else
        {
            t = empty(shape, type);
            if (data.Length > 0) data.CopyTo(t.bytes);
        }
        if (header.FortranOrder && shape.Length > 1)
        {
            var dims = Enumerable.Range(0, shape.Length).Reverse().Select(i => (long)i).ToArray();
            var c = t.permute(dims).contiguous();
            t.Dispose();
            t = c;
        }
        return t;
    }

    /// <summary>Writes a tensor as a <c>.npy</c> file (version 1.0, little-endian, C order) that NumPy's <c>np.load</c> reads.</summary>
    public static void Save(string path, Tensor tensor)
    {
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        Write(stream, tensor);
    }

    /// <summary>Writes a tensor in <c>.npy</c> format to a stream.</summary>
    public static void Write(Stream stream, Tensor tensor)
    {
        var descr = tensor.dtype switch
        {
            ScalarType.Bool => "|b1",
            ScalarType.Byte => "|u1",
            ScalarType.Int8 => "|i1",
            ScalarType.Int16 => "<i2",
            ScalarType.Int32 => "<i4",
            ScalarType.Int64 => "<i8",
            ScalarType.Float16 => "<f2",
            ScalarType.Float32 => "<f4",
            ScalarType.Float64 => "<f8",
            var other => throw new NotSupportedException($"Saving {other} tensors as .npy is not supported."),
        };
        var shape = tensor.shape;
        var shapeText = shape.Length == 1 ? $"({shape[0]},)" : "(" + string.Join(", ", shape) + ")";
        var dict = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shapeText}, }}";
        int unpadded = Magic.Length + 2 + 2 + dict.Length + 1;
        int padding = (64 - unpadded % 64) % 64;
        var headerText = dict + new string(' ', padding) + "\n";
        stream.Write(Magic);
        stream.Write([1, 0]);
        Span<byte> len = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(len, (ushort)headerText.Length);
        stream.Write(len);
        stream.Write(Encoding.ASCII.GetBytes(headerText));
        using var c = tensor.cpu().contiguous();
        if (c.numel() > 0)
        {
            var bytes = c.bytes;
            if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("Writing .npy on a big-endian machine is not supported.");
            stream.Write(bytes);
        }
    }

    sealed record Header(string Descr, bool FortranOrder, long[] Shape);

    static Header ReadHeader(Stream stream, string name)
    {
        Span<byte> start = stackalloc byte[10];
        try { stream.ReadExactly(start); }
        catch (EndOfStreamException e) { throw new InvalidDataException($"'{name}' is too short to be a .npy file.", e); }
        if (!start[..6].SequenceEqual(Magic))
            throw new InvalidDataException($"'{name}' is not a .npy file (it does not start with \\x93NUMPY).");
        int major = start[6];
        int headerLength;
        if (major == 1)
        {
            headerLength = BinaryPrimitives.ReadUInt16LittleEndian(start[8..]);
        }
        else if (major is 2 or 3)
        {
            Span<byte> two = stackalloc byte[2];
            stream.ReadExactly(two);
            headerLength = (int)BinaryPrimitives.ReadUInt32LittleEndian([start[8], start[9], two[0], two[1]]);
        }
        else
        {
            throw new InvalidDataException($"'{name}' uses .npy format version {major}.{start[7]}; versions 1-3 are supported.");
        }
        var headerBytes = new byte[headerLength];
        stream.ReadExactly(headerBytes);
        var text = (major == 3 ? Encoding.UTF8 : Encoding.Latin1).GetString(headerBytes);
        var descr = DescrPattern().Match(text);
        var fortran = FortranPattern().Match(text);
        var shape = ShapePattern().Match(text);
        if (!descr.Success)
        {
            if (text.Contains("'descr': [", StringComparison.Ordinal))
                throw new InvalidDataException($"'{name}' holds a structured (record) array ({text.Trim()}); save each field as its own array.");
            throw new InvalidDataException($"'{name}' has an unreadable .npy header: {text.Trim()}");
        }
        if (!fortran.Success || !shape.Success) throw new InvalidDataException($"'{name}' has an unreadable .npy header: {text.Trim()}");
        var dims = shape.Groups[1].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(d => long.Parse(d.TrimEnd('L'), CultureInfo.InvariantCulture)).ToArray();
        return new Header(descr.Groups[1].Value, fortran.Groups[1].Value == "True", dims);
    }

    delegate Tensor Converter(byte[] data, long[] shape, string name);

    static (ScalarType Type, int Size, Converter? Convert) ParseDescr(string descr, string name)
    {
        if (descr.Length < 2) throw new InvalidDataException($"'{name}' has dtype '{descr}', which is not understood.");
        char kind = descr[1];
        var sizeText = descr[2..];
        if (kind == 'O')
            throw new InvalidDataException($"'{name}' holds a pickled object array (dtype '{descr}'), which is not read: loading pickles can run code. "
                + "In Python, convert it to a numeric array (for example np.asarray(a, dtype=np.float32), or pad ragged sequences) and save again with np.save(..., allow_pickle=False).");
        if (kind is 'U' or 'S' or 'a' or 'V')
            throw new InvalidDataException($"'{name}' holds strings or raw bytes (dtype '{descr}'); only numeric and boolean arrays become tensors.");
        if (!int.TryParse(sizeText, out int size)) throw new InvalidDataException($"'{name}' has dtype '{descr}', which is not understood.");
        return (kind, size) switch
        {
            ('b', 1) => (ScalarType.Bool, 1, null),
            ('u', 1) => (ScalarType.Byte, 1, null),
            ('i', 1) => (ScalarType.Int8, 1, null),
            ('i', 2) => (ScalarType.Int16, 2, null),
            ('i', 4) => (ScalarType.Int32, 4, null),
            ('i', 8) => (ScalarType.Int64, 8, null),
            ('f', 2) => (ScalarType.Float16, 2, null),
            ('f', 4) => (ScalarType.Float32, 4, null),
            ('f', 8) => (ScalarType.Float64, 8, null),
            ('u', 2) => (ScalarType.Int32, 2, (d, s, _) => tensor(Enumerable.Range(0, d.Length / 2).Select(i => (int)BinaryPrimitives.ReadUInt16LittleEndian(d.AsSpan(i * 2))).ToArray(), s)),
            ('u', 4) => (ScalarType.Int64, 4, (d, s, _) => tensor(Enumerable.Range(0, d.Length / 4).Select(i => (long)BinaryPrimitives.ReadUInt32LittleEndian(d.AsSpan(i * 4))).ToArray(), s)),
            ('u', 8) => (ScalarType.Int64, 8, (d, s, n) => tensor(Enumerable.Range(0, d.Length / 8).Select(i =>
            {
                ulong v = BinaryPrimitives.ReadUInt64LittleEndian(d.AsSpan(i * 8));
                return v <= long.MaxValue ? (long)v : throw new InvalidDataException($"'{n}' holds uint64 value {v}, too large for int64.");
            }).ToArray(), s)),
            _ => throw new InvalidDataException($"'{name}' has dtype '{descr}', which is not supported (supported: bool, int8-64, uint8-64, float16/32/64)."),
        };
    }

    static void SwapBytes(byte[] data, int size)
    {
        for (int i = 0; i + size <= data.Length; i += size) data.AsSpan(i, size).Reverse();
    }

    [GeneratedRegex(@"'descr'\s*:\s*'([^']*)'")]
    private static partial Regex DescrPattern();

    [GeneratedRegex(@"'fortran_order'\s*:\s*(True|False)")]
    private static partial Regex FortranPattern();

    [GeneratedRegex(@"'shape'\s*:\s*\(([^)]*)\)")]
    private static partial Regex ShapePattern();
}
