using TransferNotebooks.Models;
using static TransferNotebooks.Keras;
using static TorchSharp.torch;

namespace TransferNotebooks.Tests.Layers;

public class CenterCropTests
{
    [Fact]
    public void Crops_the_middle_region_in_both_modes()
    {
        using var x = ImageBatches.Random(2, 3, 9, 12);
        var layer = new TransferNotebooks.Layers.CenterCrop(5, 6);
        using var expected = x[.., .., 2..7, 3..9];
        foreach (var training in new[] { false, true })
        {
            using var y = layer.Call(x, training);
            Assert.Equal(new long[] { 2, 3, 5, 6 }, y.shape);
            Assert.True(y.equal(expected).all().item<bool>(), $"training={training}: rows 2-6 and columns 3-8 expected");
        }
    }

    [Fact]
    public void A_smaller_image_is_resized_to_the_target_instead()
    {
        using var x = full(new long[] { 1, 1, 4, 6 }, 9f);
        var layer = new TransferNotebooks.Layers.CenterCrop(8, 8);
        using var y = layer.Call(x, training: false);
        Assert.Equal(new long[] { 1, 1, 8, 8 }, y.shape);
        Assert.True((y - 9).abs().max().item<float>() < 1e-5);
    }

    [Fact]
    public void Model_shape_and_config_round_trip()
    {
        using var m = new Sequential(CenterCrop(4, 3, inputShape: [7, 7, 1]), Flatten(), Dense(2));
        Assert.Equal(new[] { 4, 3, 1 }, m.Layers[0].OutputShape);
        m.Compile(optimizer: "sgd", loss: "mse");
        using var x = ImageBatches.Random(3, 7, 7, 1);
        RoundTrip.BothFormats(m, x, (back, _) =>
        {
            var layer = Assert.IsType<TransferNotebooks.Layers.CenterCrop>(back.Layers[0]);
            Assert.Equal((4, 3), (layer.Height, layer.Width));
        });
    }
}
