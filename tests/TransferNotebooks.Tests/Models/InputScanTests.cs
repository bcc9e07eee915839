using TransferNotebooks.Models;
using TransferNotebooks.Native;
using static TorchSharp.torch;
using static TransferNotebooks.Keras;

namespace TransferNotebooks.Tests.Models;

public class InputScanTests
{
    [Fact]
    public void Finds_nan_but_not_infinities_and_skips_integer_data()
    {
        using var clean = rand(50, 7);
        Assert.Equal((false, true), InputScan.Scan(clean));
        using var inf = clean.clone();
        inf[3, 2] = tensor(float.PositiveInfinity);
        Assert.False(InputScan.HasNaN(inf));
        using var overflow = full(10, 10, 3e38f); // the sum overflows: the exact check decides
        Assert.False(InputScan.HasNaN(overflow));
        using var nan = clean.clone();
        nan[49, 6] = tensor(float.NaN);
        Assert.Equal((true, true), InputScan.Scan(nan));
        using var bytes = ones(5, 5, dtype: ScalarType.Byte);
        Assert.Equal((false, false), InputScan.Scan(bytes));
    }

    [Fact]
    public void An_unchanged_tensor_is_read_once_and_read_again_after_an_in_place_change()
    {
        using var x = rand(100, 8);
        Assert.Equal((false, true), InputScan.Scan(x));
        Assert.Equal((false, !TensorVersion.Available), InputScan.Scan(x)); // remembered where the version counter is readable
        x[10, 3] = tensor(float.NaN);
        Assert.Equal((true, true), InputScan.Scan(x));
        Assert.Equal((true, true), InputScan.Scan(x)); // a NaN is never remembered as clean
        x.nan_to_num_();
        Assert.Equal((false, true), InputScan.Scan(x));
        using var view = x.narrow(0, 0, 50);
        Assert.Equal((false, true), InputScan.Scan(view)); // another tensor object: read on its own
    }

    [Fact]
    public void Fit_on_data_made_nan_in_place_after_an_earlier_fit_is_refused_and_changes_nothing()
    {
        using var m = new Sequential(Dense(2, activation: "softmax", inputShape: [3]));
        m.Compile(optimizer: "sgd", loss: "sparse_categorical_crossentropy");
        using var x = rand(8, 3);
        using var y = tensor(new long[] { 0, 1, 0, 1, 0, 1, 0, 1 });
        m.Fit(x, y, epochs: 1, verbose: 0);
        var before = m.SnapshotWeights();
        x[5, 1] = tensor(float.NaN);
        var e = Assert.Throws<ArgumentException>(() => m.Fit(x, y, epochs: 1, verbose: 0));
        Assert.Contains("NaN", e.Message);
        Assert.All(m.NamedWeights(), kv => Assert.True(kv.Value.eq(before[kv.Key]).all().item<bool>(), kv.Key));
        Assert.Contains("NaN", Assert.Throws<ArgumentException>(() => m.Evaluate(x, y)).Message);
        Assert.Contains("NaN", Assert.Throws<ArgumentException>(() => m.Predict(x)).Message);
    }
}
