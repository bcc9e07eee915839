using System.Text.Json.Nodes;
using TransferNotebooks.Models;
using TransferNotebooks.Tests.Data;
using static TransferNotebooks.Keras;
using static TorchSharp.torch;

namespace TransferNotebooks.Tests.Layers;

public class RandomRotationTests
{
    static Tensor Rotate(Tensor x, double lower, double upper, string fillMode = "reflect") =>
        new TransferNotebooks.Layers.RandomRotation([lower, upper], fillMode, seed: 1).Call(x, training: true);

    [Fact]
    public void Factor_zero_is_identity_and_half_a_turn_is_a_double_flip()
    {
        using var x = ImageBatches.Random(3, 2, 5, 7);
        using var same = Rotate(x, 0, 0);
        Assert.Equal(x.shape, same.shape);
        Assert.True(same.allclose(x, 1e-4, 1e-2), "factor 0 must leave the images as they are");
        using var half = Rotate(x, 0.5, 0.5);
        using var flipped = x.flip(2, 3);
        Assert.True(half.allclose(flipped, 1e-4, 1e-2), "a 180 degree rotation must equal flipping rows and columns");
    }

    [Fact]
    public void A_quarter_turn_is_counter_clockwise_as_in_keras()
    {
        using var x = ImageBatches.Random(2, 1, 6, 6);
        using var quarter = Rotate(x, 0.25, 0.25);
        using var expected = x.rot90(1, (2, 3)); // numpy's rot90: counter-clockwise as displayed, row 0 on top
        Assert.True(quarter.allclose(expected, 1e-4, 1e-2));
    }

    /// <summary>
    /// An independent reference of TensorFlow's projective transform (what Keras's RandomRotation calls) for one channel:
    /// the output pixel (x, y) reads the input at the rotated point about the centre ((W-1)/2, (H-1)/2), bilinearly, each of the
    /// four neighbours outside the image reading <paramref name="fill"/>.
    /// </summary>
    static float[,] ReferenceRotation(float[,] image, double angle, float fill)
    {
        int h = image.GetLength(0), w = image.GetLength(1);
        double cx = (w - 1) / 2.0, cy = (h - 1) / 2.0, cos = Math.Cos(angle), sin = Math.Sin(angle);
        float Read(int yy, int xx) => yy >= 0 && yy < h && xx >= 0 && xx < w ? image[yy, xx] : fill;
        var result = new float[h, w];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                double xi = cos * (x - cx) - sin * (y - cy) + cx, yi = sin * (x - cx) + cos * (y - cy) + cy;
                int x0 = (int)Math.Floor(xi), y0 = (int)Math.Floor(yi);
                double fx = xi - x0, fy = yi - y0;
                result[y, x] = (float)((1 - fy) * ((1 - fx) * Read(y0, x0) + fx * Read(y0, x0 + 1)) + fy * ((1 - fx) * Read(y0 + 1, x0) + fx * Read(y0 + 1, x0 + 1)));
            }
        return result;
    }

    [Fact]
    public void Thirty_degrees_with_a_constant_fill_matches_tensorflows_transform()
    {
        using var x = ImageBatches.Random(1, 1, 5, 7);
        var image = new float[5, 7];
        var values = x.data<float>().ToArray();
        for (int i = 0; i < values.Length; i++) image[i / 7, i % 7] = values[i];
        using var y = new TransferNotebooks.Layers.RandomRotation([1.0 / 12, 1.0 / 12], "constant", fillValue: 9, seed: 1).Call(x, training: true);
        var got = y.data<float>().ToArray();
        var expected = ReferenceRotation(image, Math.PI / 6, 9);
        for (int i = 0; i < got.Length; i++) Assert.Equal(expected[i / 7, i % 7], got[i], 2);
    }

    [Fact]
    public void Angles_vary_per_image_within_the_factor()
    {
        using var x = full(new long[] { 16, 1, 9, 9 }, 0f);
        x.select(2, 4).fill_(100f); // a horizontal bar through the centre
        using var y = new TransferNotebooks.Layers.RandomRotation([0.1], "constant", seed: 4).Call(x, training: true);
        using var centre = y[.., 0, 4, 4];
        Assert.True(centre.allclose(full(16, 100f), 1e-3, 1e-2), "the centre is fixed under rotation");
        int differing = Enumerable.Range(1, 15).Count(i => !y[i].allclose(y[0], 1e-3, 1e-2));
        Assert.True(differing > 12, $"each image should get its own angle; only {differing} of 15 differ from the first");
    }

    [Fact]
    public void Identity_at_inference_seeded_refuses_wrap_and_round_trips()
    {
        using var x = ImageBatches.Random(4, 3, 6, 6);
        ImageBatches.IdentityAtInference(new TransferNotebooks.Layers.RandomRotation([0.2]), x);
        ImageBatches.SeededDeterminism(seed => new TransferNotebooks.Layers.RandomRotation([0.2], seed: seed), x);
        var e = Assert.Throws<NotSupportedException>(() => RandomRotation(0.1, fillMode: "wrap"));
        Assert.Contains("reflect", e.Message);
        Assert.Throws<ArgumentException>(() => RandomRotation((0.2, 0.1)));
        using var m = new Sequential(RandomRotation((-0.05, 0.1), fillMode: "constant", interpolation: "nearest", seed: 3, fillValue: 2, inputShape: [6, 6, 3]), Flatten(), Dense(2));
        m.Compile(optimizer: "sgd", loss: "mse");
        using var xs = ImageBatches.Random(2, 6, 6, 3);
        RoundTrip.BothFormats(m, xs, (back, _) =>
        {
            var layer = Assert.IsType<TransferNotebooks.Layers.RandomRotation>(back.Layers[0]);
            Assert.Equal(new[] { -0.05, 0.1 }, layer.Factor);
            Assert.Equal(("constant", "nearest", (int?)3, 2.0), (layer.FillMode, layer.Interpolation, layer.Seed, layer.FillValue));
        });
    }

    [Fact]
    public void A_keras_3_config_loads_and_unsupported_settings_name_themselves()
    {
        using var m = new Sequential(RandomRotation(0.2, inputShape: [6, 6, 3]), Flatten(), Dense(2));
        using var dir = TestData.Temp();
        // The keys Keras 3's get_config writes for RandomRotation, including the ones this library does not use (value_range).
        var keras = RoundTrip.KerasFileWithEditedLayer(m, dir, "RandomRotation", c =>
        {
            c["factor"] = new JsonArray(-0.1, 0.25);
            c["data_format"] = "channels_last";
            c["fill_mode"] = "nearest";
            c["fill_value"] = 0.0;
            c["interpolation"] = "bilinear";
            c["seed"] = null;
            c["value_range"] = new JsonArray(0, 255);
        });
        using (var loaded = Model.Load(keras))
        {
            var layer = Assert.IsType<TransferNotebooks.Layers.RandomRotation>(loaded.Layers[0]);
            Assert.Equal((-0.1, 0.25, "nearest", (int?)null), (layer.Lower, layer.Upper, layer.FillMode, layer.Seed));
        }
        var wrap = RoundTrip.KerasFileWithEditedLayer(m, dir, "RandomRotation", c => c["fill_mode"] = "wrap");
        Assert.Contains("wrap", Assert.Throws<NotSupportedException>(() => Model.Load(wrap)).Message);
        var channelsFirst = RoundTrip.KerasFileWithEditedLayer(m, dir, "RandomRotation", c => c["data_format"] = "channels_first");
        Assert.Contains("channels_first", Assert.Throws<NotSupportedException>(() => Model.Load(channelsFirst)).Message);
    }
}
