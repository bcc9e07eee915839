using TransferNotebooks.Models;
using static TransferNotebooks.Keras;
using static TorchSharp.torch;

namespace TransferNotebooks.Tests.Layers;

public class MeanImageSubtractionTests
{
    [Fact]
    public void It_reverses_the_channels_then_subtracts_the_mean_image()
    {
        using var mean = arange(4 * 5 * 3, dtype: ScalarType.Float32).reshape(4, 5, 3);
        using var m = new Sequential(MeanImageSubtraction(mean, reverseChannels: true));
        using var x = rand(2, 4, 5, 3).mul(255);
        using var y = m.Predict(x);
        using var expected = x.flip(3) - mean;
        Assert.True(y.allclose(expected, 1e-6, 1e-5), "BGR minus the mean image, channels last");
        Assert.Equal(0, m.Layers[0].TrainableParameterCount);
        Assert.Equal(4 * 5 * 3, m.Layers[0].ParameterCount);
    }

    [Fact]
    public void The_mean_image_is_saved_with_the_model_in_both_formats()
    {
        using var mean = rand(3, 3, 2).mul(100);
        using var m = new Sequential(MeanImageSubtraction(mean, name: "mean"), Flatten(), Dense(2));
        m.Build([3, 3, 2]);
        m.Compile(optimizer: "sgd", loss: "mse");
        using var x = rand(2, 3, 3, 2).mul(255);
        RoundTrip.BothFormats(m, x, (back, _) =>
        {
            var layer = Assert.IsType<TransferNotebooks.Layers.MeanImageSubtraction>(back.Layers[0]);
            Assert.False(layer.ReverseChannels);
            using var saved = layer.Mean!.permute(1, 2, 0);
            Assert.True(saved.allclose(mean), "the loaded layer carries the mean image");
        });
    }

    [Fact]
    public void Images_of_another_size_than_the_mean_image_are_refused_with_the_fix()
    {
        using var mean = zeros(4, 4, 3);
        var e = Assert.Throws<ArgumentException>(() => new Sequential(MeanImageSubtraction(mean)).Build([8, 8, 3]));
        Assert.Contains("Resize the images", e.Message);
    }
}
