using System.IO.Compression;
using System.Text;
using TransferNotebooks.Data;
using static TorchSharp.torch;

namespace TransferNotebooks.Tests.Data;

public class NpyTests
{
    /// <summary>A .npy file as NumPy writes it (format 1.0, header padded to 64 bytes).</summary>
    static byte[] NpyBytes(string descr, string shape, byte[] data, bool fortran = false)
    {
        var dict = $"{{'descr': '{descr}', 'fortran_order': {(fortran ? "True" : "False")}, 'shape': {shape}, }}";
        int total = 10 + dict.Length + 1;
        var header = dict + new string(' ', (64 - total % 64) % 64) + "\n";
        var ms = new MemoryStream();
        ms.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0]);
        ms.Write(BitConverter.GetBytes((ushort)header.Length));
        ms.Write(Encoding.ASCII.GetBytes(header));
        ms.Write(data);
        return ms.ToArray();
    }

    static byte[] Bytes<T>(params T[] values) where T : unmanaged =>
        System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).ToArray();

    static Tensor Read(byte[] npy) => Npy.Read(new MemoryStream(npy));

    [Fact]
    public void Reads_float32_in_c_order()
    {
        using var t = Read(NpyBytes("<f4", "(2, 3)", Bytes(1f, 2f, 3f, 4f, 5f, 6f)));
        Assert.Equal(ScalarType.Float32, t.dtype);
        Assert.Equal(new long[] { 2, 3 }, t.shape);
        Assert.Equal(6f, t[1][2].item<float>());
    }

    [Fact]
    public void Reads_fortran_order_as_the_same_logical_array()
    {
        // Logical [[1,2,3],[4,5,6]] stored column-major: 1,4,2,5,3,6.
        using var t = Read(NpyBytes("<f8", "(2, 3)", Bytes(1d, 4d, 2d, 5d, 3d, 6d), fortran: true));
        Assert.Equal(ScalarType.Float64, t.dtype);
        Assert.Equal(new long[] { 2, 3 }, t.shape);
        Assert.Equal(new double[] { 1, 2, 3, 4, 5, 6 }, t.data<double>().ToArray());
    }

    [Fact]
    public void Reads_big_endian_integers_unsigned_and_bool()
    {
        using var be = Read(NpyBytes(">i4", "(2,)", [0, 0, 1, 2, 0xFF, 0xFF, 0xFF, 0xFE]));
        Assert.Equal(new[] { 258, -2 }, be.data<int>().ToArray());
        using var u2 = Read(NpyBytes("<u2", "(2,)", Bytes((ushort)65535, (ushort)7)));
        Assert.Equal(ScalarType.Int32, u2.dtype);
        Assert.Equal(new[] { 65535, 7 }, u2.data<int>().ToArray());
        using var b = Read(NpyBytes("|b1", "(3,)", [1, 0, 1]));
        Assert.Equal(ScalarType.Bool, b.dtype);
        Assert.Equal(new[] { true, false, true }, b.data<bool>().ToArray());
        using var u1 = Read(NpyBytes("|u1", "(2, 2)", [0, 255, 3, 4]));
        Assert.Equal(ScalarType.Byte, u1.dtype);
        using var scalar = Read(NpyBytes("<i8", "()", Bytes(42L)));
        Assert.Empty(scalar.shape);
        Assert.Equal(42L, scalar.item<long>());
    }

    [Fact]
    public void Pickled_object_arrays_are_refused_with_a_clear_error()
    {
        var e = Assert.Throws<InvalidDataException>(() => Read(NpyBytes("|O", "(2,)", new byte[16])));
        Assert.Contains("pickled object array", e.Message);
        Assert.Contains("allow_pickle=False", e.Message);
        var s = Assert.Throws<InvalidDataException>(() => Read(NpyBytes("<U5", "(2,)", new byte[40])));
        Assert.Contains("strings", s.Message);
    }

    [Fact]
    public void Bad_files_give_clear_errors()
    {
        Assert.Contains("not a .npy file", Assert.Throws<InvalidDataException>(() => Read(Encoding.ASCII.GetBytes("hello world, not numpy"))).Message);
        Assert.Contains("truncated", Assert.Throws<InvalidDataException>(() => Read(NpyBytes("<f4", "(10,)", new byte[8]))).Message);
    }

    [Fact]
    public void Save_then_load_round_trips()
    {
        using var dir = TestData.Temp();
        using var original = arange(24, dtype: ScalarType.Float32).reshape(2, 3, 4);
        var path = dir.Sub("a.npy");
        Npy.Save(path, original);
        using var back = Npy.Load(path);
        Assert.Equal(original.shape, back.shape);
        Assert.Equal(original.data<float>().ToArray(), back.data<float>().ToArray());
        // The header is padded so that the data starts at a multiple of 64, as NumPy does.
        Assert.Equal(0, (new FileInfo(path).Length - 24 * 4) % 64);
    }

    [Fact]
    public void Npz_archives_load_by_name_and_as_a_dataset()
    {
        using var dir = TestData.Temp();
        var path = dir.Sub("data.npz");
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Create))
        {
            void Add(string name, byte[] bytes, CompressionLevel level)
            {
                using var s = zip.CreateEntry(name, level).Open();
                s.Write(bytes);
            }
            Add("x_train.npy", NpyBytes("<f4", "(3, 2)", Bytes(1f, 2f, 3f, 4f, 5f, 6f)), CompressionLevel.Optimal);
            Add("y_train.npy", NpyBytes("|u1", "(3,)", [0, 1, 1]), CompressionLevel.NoCompression);
            Add("x_test.npy", NpyBytes("<f4", "(1, 2)", Bytes(7f, 8f)), CompressionLevel.Optimal);
            Add("y_test.npy", NpyBytes("|u1", "(1,)", [1]), CompressionLevel.NoCompression);
        }
        var arrays = Npy.LoadNpz(path);
        Assert.Equal(["x_test", "x_train", "y_test", "y_train"], arrays.Keys.Order());
        foreach (var t in arrays.Values) t.Dispose();
        using var ds = Npy.LoadDataset(path, "x_train", "y_train");
        Assert.Equal(3, ds.Count);
        Assert.Equal(ScalarType.Int64, ds.Y.dtype);
        Assert.Equal([0L, 1, 1], ds.Labels);
        var e = Assert.Throws<KeyNotFoundException>(() => Npy.LoadDataset(path));
        Assert.Contains("x_train", e.Message);
        var (train, test) = Npy.Load(path, "train", "test");
        using (train) using (test)
        {
            Assert.Equal([0L, 1, 1], train.Labels);
            Assert.Equal([1L], test.Labels);
        }
        Assert.Contains("x_valid", Assert.Throws<KeyNotFoundException>(() => Npy.Load(path, "train", "valid")).Message);
    }
}
