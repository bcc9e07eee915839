using TransferNotebooks.Models;
using static TransferNotebooks.Keras;
using static TorchSharp.torch;

namespace TransferNotebooks.Tests.Layers;

public class ResizingTests
{
    [Fact]
    public void Output_shape_is_the_target_size_with_the_channels_kept()
    {
        using var m = new Sequential(Resizing(12, 20, inputShape: [30, 40, 3]), Flatten());
        Assert.Equal(new[] { 12, 20, 3 }, m.Layers[0].OutputShape);
        using var x = ImageBatches.Random(2, 30, 40, 3);
        using var y = m.Predict(x);
        Assert.Equal(new long[] { 2, 12 * 20 * 3 }, y.shape);
    }

    [Fact]
    public void A_constant_image_stays_constant_with_every_interpolation()
    {
        using var x = full(new long[] { 1, 3, 17, 23 }, 42f);
        foreach (var interpolation in new[] { "bilinear", "nearest", "bicubic", "area" })
        {
            var layer = new TransferNotebooks.Layers.Resizing(8, 31, interpolation);
            using var y = layer.Call(x, training: false);
            Assert.Equal(new long[] { 1, 3, 8, 31 }, y.shape);
            Assert.True((y - 42).abs().max().item<float>() < 1e-4, $"{interpolation}: a constant image must stay 42");
        }
    }

    [Fact]
    public void Bilinear_uses_half_pixel_centres_as_tensorflow()
    {
        // A row [0, 4] stretched to 4 pixels samples x = -0.25, 0.25, 0.75, 1.25 (edges clamp): 0, 1, 3, 4.
        using var x = tensor(new float[] { 0, 4 }).reshape(1, 1, 1, 2);
        var layer = new TransferNotebooks.Layers.Resizing(1, 4);
        using var y = layer.Call(x, training: false);
        Assert.Equal(new float[] { 0, 1, 3, 4 }, y.data<float>().ToArray());
    }

    [Fact]
    public void Crop_to_aspect_ratio_resizes_the_centred_window_only()
    {
        // 4 x 8 to 2 x 2: the centred 4 x 4 window (columns 2-5) halves; its 2 x 2 blocks average under bilinear at exact midpoints.
        using var x = arange(32, dtype: ScalarType.Float32).reshape(1, 1, 4, 8);
        var layer = new TransferNotebooks.Layers.Resizing(2, 2, cropToAspectRatio: true);
        using var y = layer.Call(x, training: false);
        using var window = x.narrow(3, 2, 4);
        using var expected = nn.functional.avg_pool2d(window, 2);
        Assert.True(y.allclose(expected, 1e-5, 1e-5), $"got [{string.Join(", ", y.data<float>().ToArray())}]");
        Assert.Equal((0, 2, 4, 4), TransferNotebooks.Layers.ImageResize.AspectCropBox(4, 8, 2, 2));
    }

    [Fact]
    public void Settings_survive_our_format_and_the_keras_format_and_lanczos_is_refused_clearly()
    {
        using var m = new Sequential(Resizing(6, 5, interpolation: "nearest", cropToAspectRatio: true, inputShape: [9, 7, 2]), Flatten(), Dense(2));
        m.Compile(optimizer: "sgd", loss: "mse");
        using var x = ImageBatches.Random(2, 9, 7, 2);
        RoundTrip.BothFormats(m, x, (back, _) =>
        {
            var layer = Assert.IsType<TransferNotebooks.Layers.Resizing>(back.Layers[0]);
            Assert.Equal((6, 5, "nearest", true), (layer.Height, layer.Width, layer.Interpolation, layer.CropToAspectRatio));
        });
        var e = Assert.Throws<NotSupportedException>(() => Resizing(4, 4, interpolation: "lanczos3"));
        Assert.Contains("bicubic", e.Message);
    }
}
