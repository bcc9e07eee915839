using TransferNotebooks.Models;
using static TransferNotebooks.Keras;
using static TorchSharp.torch;

namespace TransferNotebooks.Tests.Layers;

public class RandomTranslationTests
{
    static Tensor Shift(Tensor x, double down, double right, string fillMode, double fillValue = 0) =>
        new TransferNotebooks.Layers.RandomTranslation([down, down], [right, right], fillMode, seed: 1, fillValue: fillValue).Call(x, training: true);

    [Fact]
    public void A_positive_height_factor_moves_the_content_down_and_fills_the_top_by_the_mode()
    {
        using var x = ImageBatches.Random(2, 3, 4, 5);
        using var constant = Shift(x, 0.5, 0, "constant", fillValue: 7);
        Assert.True(constant[.., .., 2..4].allclose(x[.., .., 0..2], 1e-4, 1e-2), "rows 0-1 must move to rows 2-3");
        Assert.True(constant[.., .., 0..2].allclose(full(new long[] { 2, 3, 2, 5 }, 7f), 1e-4, 1e-3), "the uncovered rows take fill_value");
        using var reflect = Shift(x, 0.5, 0, "reflect");
        using var reflected = cat([x[.., .., 1..2], x[.., .., 0..1]], 2); // d c b a | a b c d: row -1 reads row 0, row -2 reads row 1
        Assert.True(reflect[.., .., 0..2].allclose(reflected, 1e-4, 1e-2));
        using var nearest = Shift(x, 0.5, 0, "nearest");
        Assert.True(nearest[.., .., 0..2].allclose(x[.., .., 0..1].expand(2, 3, 2, 5), 1e-4, 1e-2), "nearest repeats the edge row");
    }

    [Fact]
    public void A_negative_width_factor_moves_the_content_left()
    {
        using var x = ImageBatches.Random(1, 2, 3, 5);
        using var y = Shift(x, 0, -0.2, "constant");
        Assert.True(y[.., .., .., 0..4].allclose(x[.., .., .., 1..5], 1e-4, 1e-2));
        Assert.True(y[.., .., .., 4].abs().max().item<float>() < 1e-3);
    }

    [Fact]
    public void Identity_at_inference_zero_factor_seeded_and_round_trip()
    {
        using var x = ImageBatches.Random(4, 3, 6, 8);
        using var none = Shift(x, 0, 0, "reflect");
        Assert.True(none.allclose(x, 1e-4, 1e-2));
        ImageBatches.IdentityAtInference(new TransferNotebooks.Layers.RandomTranslation([0.2], [0.2]), x);
        ImageBatches.SeededDeterminism(seed => new TransferNotebooks.Layers.RandomTranslation([0.2], [0.3], seed: seed), x);
        Assert.Throws<NotSupportedException>(() => RandomTranslation(0.1, 0.1, fillMode: "wrap"));
        using var m = new Sequential(RandomTranslation((-0.1, 0.1), (-0.2, 0.3), seed: 8, inputShape: [6, 8, 3]), Flatten(), Dense(2));
        m.Compile(optimizer: "sgd", loss: "mse");
        using var xs = ImageBatches.Random(2, 6, 8, 3);
        RoundTrip.BothFormats(m, xs, (back, _) =>
        {
            var layer = Assert.IsType<TransferNotebooks.Layers.RandomTranslation>(back.Layers[0]);
            Assert.Equal(new[] { -0.1, 0.1 }, layer.HeightFactor);
            Assert.Equal(new[] { -0.2, 0.3 }, layer.WidthFactor);
            Assert.Equal(("reflect", (int?)8), (layer.FillMode, layer.Seed));
        });
    }
}
