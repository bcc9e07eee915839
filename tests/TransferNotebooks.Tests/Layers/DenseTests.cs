using DenseLayer = TransferNotebooks.Layers.Dense;
using TransferNotebooks.Models;
using static TransferNotebooks.Keras;
using static TorchSharp.torch;

namespace TransferNotebooks.Tests.Layers;

public class DenseTests
{
    [Fact]
    public void The_kernel_keeps_kerass_shape_in_column_major_memory_and_its_gradient_follows()
    {
        manual_seed(2);
        using var m = new Sequential(Dense(16, inputShape: [40]));
        var dense = (DenseLayer)m.Layers[0];
        Assert.Equal(new long[] { 40, 16 }, dense.Kernel.shape);
        Assert.Equal(new long[] { 1, 40 }, dense.Kernel.stride()); // the faster backward product (see Dense.ColumnMajor)
        using var x = randn(8, 40);
        using var y = dense.Call(x, training: true);
        y.sum().backward();
        Assert.Equal(dense.Kernel.stride(), dense.Kernel.grad!.stride());
        // d(sum)/dK[i, j] = sum over the batch of x[:, i]: the same for every unit j
        using var expected = x.sum(0L).unsqueeze(1).expand(40, 16);
        Assert.True(dense.Kernel.grad.allclose(expected, rtol: 1e-5, atol: 1e-5));
    }

    [Fact]
    public void Saved_weights_are_in_kerass_row_major_order_and_load_back_equal()
    {
        manual_seed(3);
        using var m = new Sequential(Dense(5, inputShape: [3]));
        var kernel = ((DenseLayer)m.Layers[0]).Kernel;
        using (no_grad()) kernel.copy_(arange(15, dtype: ScalarType.Float32).reshape(3, 5)); // K[i, j] = 5 i + j
        var dir = Directory.CreateTempSubdirectory("dense-test").FullName;
        try
        {
            var path = Path.Combine(dir, "w.safetensors");
            m.SaveWeights(path);
            using var other = new Sequential(Dense(5, inputShape: [3]));
            other.LoadWeights(path);
            var loaded = ((DenseLayer)other.Layers[0]).Kernel;
            Assert.Equal(new long[] { 1, 3 }, loaded.stride());
            Assert.Equal(Enumerable.Range(0, 15).Select(i => (float)i).ToArray(), loaded.contiguous().data<float>().ToArray());
            using var x = randn(4, 3);
            using var a = m.Predict(x);
            using var b = other.Predict(x);
            Assert.True(a.allclose(b, rtol: 0, atol: 0));
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}
