using TransferNotebooks.Models;
using static TransferNotebooks.Keras;
using static TorchSharp.torch;

namespace TransferNotebooks.Tests.Layers;

public class RandomCropTests
{
    [Fact]
    public void Training_crops_one_window_of_the_input_for_the_whole_batch()
    {
        using var x = ImageBatches.Random(4, 3, 10, 12);
        var layer = new TransferNotebooks.Layers.RandomCrop(6, 5, seed: 3);
        var seen = new HashSet<(long, long)>();
        for (int call = 0; call < 20; call++)
        {
            using var y = layer.Call(x, training: true);
            Assert.Equal(new long[] { 4, 3, 6, 5 }, y.shape);
            // Find the window: the crop must equal x at one (top, left) for every image of the batch.
            var match = (from top in Enumerable.Range(0, 5) from left in Enumerable.Range(0, 8)
                         where y.equal(x[.., .., top..(top + 6), left..(left + 5)]).all().item<bool>()
                         select ((long)top, (long)left)).ToList();
            Assert.Single(match);
            seen.Add(match[0]);
        }
        Assert.True(seen.Count > 5, $"20 crops took only {seen.Count} distinct positions");
    }

    [Fact]
    public void Inference_resizes_the_centred_window_of_the_target_aspect_ratio()
    {
        using var x = ImageBatches.Random(2, 3, 8, 16);
        var layer = new TransferNotebooks.Layers.RandomCrop(4, 4, seed: 1);
        using var y = layer.Call(x, training: false);
        Assert.Equal(new long[] { 2, 3, 4, 4 }, y.shape);
        using var window = x.narrow(3, 4, 8);
        using var expected = nn.functional.avg_pool2d(window, 2); // bilinear halving at exact midpoints averages 2 x 2 blocks
        Assert.True(y.allclose(expected, 1e-4, 1e-4));
        using var same = ImageBatches.Random(2, 3, 4, 4);
        using var unchanged = layer.Call(same, training: false);
        Assert.True(unchanged.equal(same).all().item<bool>(), "an image already of the target size passes unchanged at inference");
    }

    [Fact]
    public void Seeded_crops_repeat_and_config_round_trips()
    {
        using var x = ImageBatches.Random(2, 1, 9, 9);
        ImageBatches.SeededDeterminism(seed => new TransferNotebooks.Layers.RandomCrop(4, 4, seed), x);
        using var m = new Sequential(RandomCrop(5, 5, seed: 42, inputShape: [9, 9, 1]), Flatten(), Dense(2));
        m.Compile(optimizer: "sgd", loss: "mse");
        using var xs = ImageBatches.Random(2, 9, 9, 1);
        RoundTrip.BothFormats(m, xs, (back, _) =>
        {
            var layer = Assert.IsType<TransferNotebooks.Layers.RandomCrop>(back.Layers[0]);
            Assert.Equal((5, 5, (int?)42), (layer.Height, layer.Width, layer.Seed));
        });
    }
}
