using TransferNotebooks.Models;
using static TransferNotebooks.Keras;
using static TorchSharp.torch;

namespace TransferNotebooks.Tests.Layers;

public class RandomContrastTests
{
    [Fact]
    public void Matches_kerass_per_image_per_channel_formula_on_a_small_tensor()
    {
        // Two images, two channels, 2 x 2 pixels; the layer's factor for image i is 1 - 0.5 + u_i (u from its seeded generator).
        float[] values = [10, 20, 30, 40, 200, 220, 240, 250, 0, 0, 100, 100, 5, 15, 25, 35];
        using var x = tensor(values).reshape(2, 2, 2, 2);
        var layer = new TransferNotebooks.Layers.RandomContrast([0.5], seed: 21);
        using var y = layer.Call(x, training: true);
        var u = rand([2], ScalarType.Float64, generator: new Generator(21, CPU)).data<double>().ToArray();
        var got = y.data<float>().ToArray();
        for (int image = 0; image < 2; image++)
        {
            double factor = 0.5 + u[image] * 1.0;
            for (int channel = 0; channel < 2; channel++)
            {
                int start = (image * 2 + channel) * 4;
                double mean = values.Skip(start).Take(4).Average();
                for (int p = 0; p < 4; p++)
                {
                    double expected = Math.Clamp((values[start + p] - mean) * factor + mean, 0, 255);
                    Assert.Equal(expected, got[start + p], 3);
                }
            }
        }
    }

    [Fact]
    public void Outputs_are_clipped_to_the_value_range()
    {
        using var x = tensor(new float[] { 0, 0.1f, 0.9f, 1 }).reshape(1, 1, 2, 2);
        var layer = new TransferNotebooks.Layers.RandomContrast([1.0, 1.0], [0, 1], seed: 2);
        for (int i = 0; i < 10; i++)
        {
            using var y = layer.Call(x, training: true);
            Assert.InRange(y.min().item<float>(), 0f, 1f);
            Assert.InRange(y.max().item<float>(), 0f, 1f);
        }
    }

    [Fact]
    public void Identity_at_inference_seeded_checks_factor_and_round_trips()
    {
        using var x = ImageBatches.Random(4, 3, 5, 5);
        ImageBatches.IdentityAtInference(new TransferNotebooks.Layers.RandomContrast([0.3]), x);
        ImageBatches.SeededDeterminism(seed => new TransferNotebooks.Layers.RandomContrast([0.3], seed: seed), x);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => RandomContrast(1.5));
        Assert.Contains("[0, 1]", e.Message);
        using var m = new Sequential(RandomContrast((0.1, 0.4), valueHigh: 1, seed: 6, inputShape: [5, 5, 3]), Flatten(), Dense(2));
        m.Compile(optimizer: "sgd", loss: "mse");
        using var xs = ImageBatches.Random(2, 5, 5, 3);
        RoundTrip.BothFormats(m, xs, (back, _) =>
        {
            var layer = Assert.IsType<TransferNotebooks.Layers.RandomContrast>(back.Layers[0]);
            Assert.Equal(new[] { 0.1, 0.4 }, layer.Factor);
            Assert.Equal(((0.0, 1.0), (int?)6), (layer.ValueRange, layer.Seed));
        });
    }
}
