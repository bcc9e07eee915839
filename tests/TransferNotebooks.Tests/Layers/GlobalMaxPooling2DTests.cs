using static TransferNotebooks.Keras;
using static TorchSharp.torch;
using TransferNotebooks.Models;

namespace TransferNotebooks.Tests.Layers;

public class GlobalMaxPooling2DTests
{
    [Fact]
    public void It_takes_each_channels_maximum_and_survives_both_formats()
    {
        using var m = new Sequential(Conv2D(3, 3, inputShape: [8, 8, 2]), GlobalMaxPooling2D(), Dense(2));
        m.Compile(optimizer: "sgd", loss: "mse");
        using var x = randn(4, 8, 8, 2);
        using var nchw = x.permute(0, 3, 1, 2);
        using var maps = m.Layers[0].Call(nchw, training: false);
        using var features = m.Layers[1].Call(maps, training: false);
        using var expected = maps.amax([2, 3]);
        Assert.Equal([3], m.Layers[1].OutputShape!);
        Assert.True(features.allclose(expected), "the maximum over height and width of each channel");
        RoundTrip.BothFormats(m, x, (back, _) => Assert.IsType<TransferNotebooks.Layers.GlobalMaxPooling2D>(back.Layers[1]));
    }
}
