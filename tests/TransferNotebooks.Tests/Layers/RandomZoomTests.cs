using TransferNotebooks.Models;
using static TransferNotebooks.Keras;
using static TorchSharp.torch;

namespace TransferNotebooks.Tests.Layers;

public class RandomZoomTests
{
    /// <summary>Images whose value is the column index: a horizontal ramp 0..W-1 on every row and channel.</summary>
    static Tensor Ramp(long n, long h, long w) => arange(w, dtype: ScalarType.Float32).expand(n, 2, h, w).contiguous();

    [Fact]
    public void Zooming_in_by_half_reads_the_central_half_of_a_ramp()
    {
        using var x = Ramp(2, 4, 4);
        var layer = new TransferNotebooks.Layers.RandomZoom([-0.5, -0.5], seed: 1);
        using var y = layer.Call(x, training: true);
        // Output column j reads the input at 1.5 + 0.5 (j - 1.5): 0.75, 1.25, 1.75, 2.25.
        using var expected = tensor(new float[] { 0.75f, 1.25f, 1.75f, 2.25f }).expand(2, 2, 4, 4);
        Assert.True(y.allclose(expected, 1e-4, 1e-4), $"row 0: [{string.Join(", ", y[0, 0, 0].data<float>().ToArray())}]");
    }

    [Fact]
    public void A_width_factor_of_zero_keeps_columns_while_rows_zoom()
    {
        using var x = Ramp(1, 4, 4);
        var layer = new TransferNotebooks.Layers.RandomZoom([-0.5, -0.5], [0.0, 0.0], seed: 1);
        using var y = layer.Call(x, training: true);
        Assert.True(y.allclose(x, 1e-4, 1e-4), "a vertical zoom does not change a horizontal ramp when the width is not zoomed");
    }

    [Fact]
    public void Zooming_out_with_a_constant_fill_leaves_the_centre_and_fills_the_corners()
    {
        using var x = full(new long[] { 1, 1, 8, 8 }, 50f);
        using var y = new TransferNotebooks.Layers.RandomZoom([1.0, 1.0], fillMode: "constant", seed: 1).Call(x, training: true);
        Assert.Equal(50f, y[0, 0, 3, 4].item<float>(), 3);
        Assert.Equal(0f, y[0, 0, 0, 0].item<float>(), 3);
    }

    [Fact]
    public void Identity_at_inference_seeded_checks_bounds_and_round_trips()
    {
        using var x = ImageBatches.Random(4, 3, 6, 6);
        ImageBatches.IdentityAtInference(new TransferNotebooks.Layers.RandomZoom([0.2]), x);
        ImageBatches.SeededDeterminism(seed => new TransferNotebooks.Layers.RandomZoom([0.3], seed: seed), x);
        Assert.Throws<ArgumentException>(() => RandomZoom((-1.5, 0.2)));
        using var m = new Sequential(RandomZoom((-0.3, -0.2), (0.1, 0.2), fillMode: "nearest", seed: 5, inputShape: [6, 6, 3]), Flatten(), Dense(2));
        m.Compile(optimizer: "sgd", loss: "mse");
        using var xs = ImageBatches.Random(2, 6, 6, 3);
        RoundTrip.BothFormats(m, xs, (back, _) =>
        {
            var layer = Assert.IsType<TransferNotebooks.Layers.RandomZoom>(back.Layers[0]);
            Assert.Equal(new[] { -0.3, -0.2 }, layer.HeightFactor);
            Assert.Equal(new[] { 0.1, 0.2 }, layer.WidthFactor!);
            Assert.Equal(("nearest", (int?)5), (layer.FillMode, layer.Seed));
        });
    }
}
