using TransferNotebooks.Models;
using static TransferNotebooks.Keras;
using static TorchSharp.torch;

namespace TransferNotebooks.Tests.Layers;

public class RandomFlipTests
{
    [Fact]
    public void Each_image_is_itself_or_its_reversed_index_and_both_occur()
    {
        using var x = ImageBatches.Random(32, 3, 5, 6);
        var layer = new TransferNotebooks.Layers.RandomFlip("horizontal", seed: 5);
        using var y = layer.Call(x, training: true);
        Assert.Equal(x.shape, y.shape);
        int flipped = 0;
        for (int i = 0; i < 32; i++)
        {
            using var original = x[i];
            using var reversed = original.index_select(2, arange(5, -1, -1, dtype: ScalarType.Int64));
            using var got = y[i];
            bool same = got.equal(original).all().item<bool>(), mirror = got.equal(reversed).all().item<bool>();
            Assert.True(same || mirror, $"image {i} is neither itself nor its left-right mirror");
            if (mirror) flipped++;
        }
        Assert.InRange(flipped, 6, 26); // probability 1/2 each: 32 draws land in [6, 26] except with odds below 1e-4
    }

    [Fact]
    public void Vertical_mode_reverses_rows_and_both_modes_reach_all_four_orientations()
    {
        using var x = ImageBatches.Random(1, 1, 4, 4);
        using var rows = x.flip(2);
        using var cols = x.flip(3);
        using var both = x.flip(2, 3);
        var vertical = new TransferNotebooks.Layers.RandomFlip("vertical", seed: 2);
        var all = new TransferNotebooks.Layers.RandomFlip(seed: 2);
        var kinds = new HashSet<int>();
        for (int i = 0; i < 40; i++)
        {
            using var v = vertical.Call(x, training: true);
            Assert.True(v.equal(x).all().item<bool>() || v.equal(rows).all().item<bool>());
            using var a = all.Call(x, training: true);
            kinds.Add(a.equal(x).all().item<bool>() ? 0 : a.equal(rows).all().item<bool>() ? 1 : a.equal(cols).all().item<bool>() ? 2 : a.equal(both).all().item<bool>() ? 3 : -1);
        }
        Assert.Equal(new[] { 0, 1, 2, 3 }, kinds.Order());
    }

    [Fact]
    public void Identity_at_inference_seeded_and_config_round_trip()
    {
        using var x = ImageBatches.Random(8, 2, 4, 5);
        ImageBatches.IdentityAtInference(new TransferNotebooks.Layers.RandomFlip(seed: 1), x);
        ImageBatches.SeededDeterminism(seed => new TransferNotebooks.Layers.RandomFlip(seed: seed), x);
        Assert.Throws<ArgumentException>(() => RandomFlip("diagonal"));
        using var m = new Sequential(RandomFlip("horizontal", seed: 9, inputShape: [4, 5, 2]), Flatten(), Dense(2));
        m.Compile(optimizer: "sgd", loss: "mse");
        using var xs = ImageBatches.Random(2, 4, 5, 2);
        RoundTrip.BothFormats(m, xs, (back, _) =>
        {
            var layer = Assert.IsType<TransferNotebooks.Layers.RandomFlip>(back.Layers[0]);
            Assert.Equal(("horizontal", (int?)9), (layer.Mode, layer.Seed));
        });
    }
}
