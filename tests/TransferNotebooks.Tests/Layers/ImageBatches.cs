using TransferNotebooks.Layers;
using static TorchSharp.torch;

namespace TransferNotebooks.Tests.Layers;

/// <summary>Image batches and checks that the preprocessing and augmentation layer tests share.</summary>
static class ImageBatches
{
    /// <summary>A seeded float batch of <paramref name="shape"/> with values 0-255: [N, C, H, W] for a layer's Call, [N, H, W, C] for a model's Predict.</summary>
    public static Tensor Random(params long[] shape)
    {
        var g = new Generator(7, CPU);
        return rand(shape, ScalarType.Float32, generator: g).mul_(255);
    }

    /// <summary>Two layers built from the same seed give the same outputs over successive training calls, and another seed differs.</summary>
    public static void SeededDeterminism(Func<int, Layer> make, Tensor x)
    {
        var a = make(11);
        var b = make(11);
        var other = make(12);
        for (int call = 0; call < 3; call++)
        {
            using var ya = a.Call(x, training: true);
            using var yb = b.Call(x, training: true);
            Assert.True(ya.equal(yb).all().item<bool>(), $"call {call}: the same seed must give the same augmentation");
        }
        using var a4 = a.Call(x, training: true);
        using var o1 = other.Call(x, training: true);
        using var o2 = other.Call(x, training: true);
        using var o3 = other.Call(x, training: true);
        using var o4 = other.Call(x, training: true);
        Assert.False(a4.equal(o4).all().item<bool>() && a4.equal(o3).all().item<bool>(), "another seed should give other augmentations");
    }

    /// <summary>At inference the layer returns its input unchanged.</summary>
    public static void IdentityAtInference(Layer layer, Tensor x)
    {
        using var y = layer.Call(x, training: false);
        Assert.Equal(x.shape, y.shape);
        Assert.True(y.equal(x).all().item<bool>(), $"{layer.TypeName} must be the identity at inference");
    }
}
