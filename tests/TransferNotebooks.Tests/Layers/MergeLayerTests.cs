using TransferNotebooks.Layers;
using static TransferNotebooks.Keras;
using static TorchSharp.torch;

namespace TransferNotebooks.Tests.Layers;

public class MergeLayerTests
{
    static readonly float[] A = [1, -2, 3, 0.5f];
    static readonly float[] B = [4, 5, -6, 0.5f];

    static float[] Run(MergeLayer layer, params float[][] inputs)
    {
        var symbolic = inputs.Select(_ => Input([4])).ToArray();
        layer.Build(symbolic.Select(s => s.Shape.ToArray()).ToList());
        using var y = layer.Call(inputs.Select(v => tensor(v).reshape(1, 4)).ToList(), false);
        return y.data<float>().ToArray();
    }

    [Fact]
    public void Element_wise_merges_match_hand_computed_values()
    {
        Assert.Equal([5, 3, -3, 1], Run(new Add(), A, B));
        Assert.Equal([-3, -7, 9, 0], Run(new Subtract(), A, B));
        Assert.Equal([4, -10, -18, 0.25f], Run(new Multiply(), A, B));
        Assert.Equal([2.5f, 1.5f, -1.5f, 0.5f], Run(new Average(), A, B));
        Assert.Equal([4, 5, 3, 0.5f], Run(new Maximum(), A, B));
        Assert.Equal([6, 4, -2, 1.5f], Run(new Add(), A, B, [1, 1, 1, 0.5f]));
        Assert.Equal([1, -2, 3, 0.5f, 4, 5, -6, 0.5f], Run(new Concatenate(), A, B));
    }

    [Fact]
    public void Merge_layers_save_their_type_and_config()
    {
        foreach (var name in new[] { "Add", "Subtract", "Multiply", "Average", "Maximum", "Concatenate" })
            Assert.True(LayerRegistry.Contains(name), name);
        var config = Concatenate(axis: 2).GetConfig();
        Assert.Equal(2, config["axis"]!.GetValue<int>());
        var made = (Concatenate)LayerRegistry.Create("Concatenate", System.Text.Json.JsonDocument.Parse(config.ToJsonString()).RootElement, "c", null);
        Assert.Equal(2, made.Axis);
    }

    [Fact]
    public void Subtract_takes_exactly_two_inputs_and_merges_need_two()
    {
        var a = Input([3]);
        var e = Assert.Throws<ArgumentException>(() => Subtract().Call(a, a, a));
        Assert.Contains("exactly 2", e.Message);
        var one = Assert.Throws<ArgumentException>(() => Add().Call(a));
        Assert.Contains("at least 2", one.Message);
        var single = Assert.Throws<NotSupportedException>(() => new Add().Call(zeros(1, 3), false));
        Assert.Contains("several inputs", single.Message);
    }

    [Fact]
    public void Concatenate_needs_matching_other_axes()
    {
        var x = Dense(4, name: "left").Call(Input([2, 3]));
        var y = Dense(5, name: "right").Call(Input([3, 3]));
        var e = Assert.Throws<ArgumentException>(() => Concatenate().Call(x, y));
        Assert.Contains("'left' (Dense)", e.Message);
        Assert.Contains("'right' (Dense)", e.Message);
        Assert.Equal([2, 9], Concatenate().Call(x, Dense(5).Call(Input([2, 3]))).Shape);
    }
}
