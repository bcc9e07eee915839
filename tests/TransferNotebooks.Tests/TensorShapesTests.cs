using static TorchSharp.torch;

namespace TransferNotebooks.Tests;

public class TensorShapesTests
{
    [Fact]
    public void Reads_the_same_shapes_as_Tensor_shape()
    {
        using var a = zeros(4, 3, 2);
        Assert.Equal(a.shape, TensorShapes.Of(a));
        Assert.Equal(new[] { 3, 2 }, TensorShapes.SampleShape(a));
        using var flat = zeros(5);
        Assert.Empty(TensorShapes.SampleShape(flat));
        using var scalar = tensor(1f);
        Assert.Empty(TensorShapes.Of(scalar));
        Assert.Empty(TensorShapes.SampleShape(scalar));
        using var same = ones(4, 3, 2);
        using var other = ones(4, 6);
        using var column = ones(4, 1);
        using var labels = ones(4);
        Assert.True(TensorShapes.SameShape(a, same));
        Assert.False(TensorShapes.SameShape(a, other));
        Assert.False(TensorShapes.SameShape(column, labels)); // same count, different rank
        Assert.Same(column, TensorShapes.ReshapeLike(column, column));
        using var reshaped = TensorShapes.ReshapeLike(labels, column);
        Assert.Equal(new long[] { 4, 1 }, reshaped.shape);
    }
}
