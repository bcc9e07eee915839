using static TorchSharp.torch;
using static TransferNotebooks.Keras;

namespace TransferNotebooks.Tests.Layers;

public class Conv2DTests
{
    /// <summary>
    /// A 1x1 convolution is a matrix product of the channels at every stride-th pixel; libtorch 2.10's channels-last kernel got
    /// 512 filters with a 7x7 output wrong on this CPU (ResNet18's conv5 shortcut), so the layer must not depend on it.
    /// </summary>
    [Theory]
    [InlineData(256, 512, 14, 2)]
    [InlineData(256, 512, 13, 2)]
    [InlineData(512, 512, 7, 1)]
    [InlineData(128, 256, 28, 2)]
    public void A_1x1_convolution_equals_the_channel_product_at_every_stride_th_pixel(int inChannels, int filters, int size, int stride)
    {
        manual_seed(1);
        var layer = (TransferNotebooks.Layers.Conv2D)Conv2D(filters, 1, strides: stride, useBias: false);
        layer.Build([size, size, inChannels]);
        int outSize = (size + stride - 1) / stride;
        Assert.Equal([outSize, outSize, filters], layer.OutputShape!);
        using var x = randn(2, inChannels, size, size);
        using var y = layer.Call(x, training: false);
        using var sampled = x.slice(2, 0, size, stride).slice(3, 0, size, stride);
        using var kernel = layer.Kernel.detach().reshape(filters, inChannels);
        using var expected = einsum("nchw,fc->nfhw", sampled, kernel);
        using var error = (y - expected).abs().max();
        using var scale = expected.abs().max();
        Assert.True(error.item<float>() < 1e-5 * scale.item<float>(), $"{inChannels}->{filters} at {size}x{size}, stride {stride}: error {error.item<float>()} of {scale.item<float>()}");
    }
}
