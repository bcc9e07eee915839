using TransferNotebooks.Data;
using static TorchSharp.torch;

namespace TransferNotebooks.Tests.Data;

public class SequencesTests
{
    [Fact]
    public void Vectorize_sets_ones_at_the_indices_of_each_row()
    {
        int[][] seqs = [[1, 3, 3], [], [0, 4]];
        using var x = Sequences.Vectorize(seqs, 5);
        Assert.Equal(new long[] { 3, 5 }, x.shape);
        Assert.Equal(ScalarType.Float32, x.dtype);
        Assert.Equal(new float[] { 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1 }, x.data<float>().ToArray());
    }

    [Fact]
    public void Vectorize_many_rows_across_blocks_matches_a_reference()
    {
        var rng = new Random(1);
        var seqs = Enumerable.Range(0, 700).Select(_ => Enumerable.Range(0, rng.Next(0, 30)).Select(_ => rng.Next(0, 3000)).ToArray()).ToArray();
        using var x = Sequences.Vectorize(seqs, 3000);
        var data = x.data<float>().ToArray();
        var expected = new float[700 * 3000];
        for (int i = 0; i < seqs.Length; i++) foreach (var w in seqs[i]) expected[i * 3000 + w] = 1;
        Assert.Equal(expected, data);
    }

    [Theory]
    [InlineData(ScalarType.Float64)]
    [InlineData(ScalarType.Float16)]
    [InlineData(ScalarType.BFloat16)]
    [InlineData(ScalarType.Byte)]
    [InlineData(ScalarType.Bool)]
    public void Vectorize_in_other_dtypes_holds_the_same_zeros_and_ones(ScalarType dtype)
    {
        var rng = new Random(2);
        var seqs = Enumerable.Range(0, 300).Select(_ => Enumerable.Range(0, rng.Next(0, 40)).Select(_ => rng.Next(0, 2000)).ToArray()).ToArray();
        using var reference = Sequences.Vectorize(seqs, 2000);
        using var x = Sequences.Vectorize(seqs, 2000, dtype);
        Assert.Equal(dtype, x.dtype);
        Assert.Equal(reference.shape, x.shape);
        using var asFloat = x.to_type(ScalarType.Float32);
        using var same = asFloat.eq(reference).all();
        Assert.True(same.item<bool>());
    }

    [Fact]
    public void Vectorize_names_the_supported_dtypes_when_given_another()
    {
        var e = Assert.Throws<ArgumentException>(() => Sequences.Vectorize([[1]], 5, ScalarType.Int32));
        Assert.Contains("Int32", e.Message);
        Assert.Contains("ScalarType.Byte", e.Message);
    }

    [Fact]
    public void Vectorize_rejects_an_index_outside_the_dimension()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Sequences.Vectorize([[1, 7]], 5));
        Assert.Contains("index 7", e.Message);
    }

    [Fact]
    public void PadSequences_defaults_pad_and_truncate_at_the_start_like_keras()
    {
        int[][] seqs = [[1, 2, 3], [4, 5, 6, 7, 8], [9]];
        using var x = Sequences.PadSequences(seqs, maxLen: 4);
        Assert.Equal(ScalarType.Int64, x.dtype);
        Assert.Equal(new long[] { 0, 1, 2, 3, 5, 6, 7, 8, 0, 0, 0, 9 }, x.data<long>().ToArray());
    }

    [Fact]
    public void PadSequences_post_options_and_default_length()
    {
        int[][] seqs = [[1, 2, 3], [4, 5]];
        using var longest = Sequences.PadSequences(seqs);
        Assert.Equal(new long[] { 2, 3 }, longest.shape);
        using var post = Sequences.PadSequences(seqs, maxLen: 2, padding: PadSide.Post, truncating: PadSide.Post, value: -1);
        Assert.Equal(new long[] { 1, 2, 4, 5 }, post.data<long>().ToArray());
        using var post3 = Sequences.PadSequences(seqs, maxLen: 3, padding: PadSide.Post, value: -1);
        Assert.Equal(new long[] { 1, 2, 3, 4, 5, -1 }, post3.data<long>().ToArray());
    }
}
