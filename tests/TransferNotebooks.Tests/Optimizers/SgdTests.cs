using TransferNotebooks.Optimizers;
using static TransferNotebooks.Tests.Optimizers.KerasReference;

namespace TransferNotebooks.Tests.Optimizers;

/// <summary>SGD against keras/src/optimizers/sgd.py: <c>m = momentum*m - lr*g</c>; <c>w += m</c>, or with Nesterov <c>w += momentum*m - lr*g</c>.</summary>
public class SgdTests
{
    static double[][] Keras(double lr, double momentum, bool nesterov) => Expected((w, g, t, s) =>
    {
        if (momentum == 0) return w - lr * g;
        s[0] = momentum * s[0] - lr * g;
        return nesterov ? w + momentum * s[0] - lr * g : w + s[0];
    }, slots: 1);

    [Fact]
    public void Plain_sgd_matches_keras()
    {
        using var opt = new Sgd(learningRate: 0.1);
        AssertClose(Keras(0.1, 0, false), Run(opt));
    }

    [Fact]
    public void Momentum_matches_keras()
    {
        using var opt = new Sgd(learningRate: 0.05, momentum: 0.9);
        AssertClose(Keras(0.05, 0.9, false), Run(opt));
    }

    [Fact]
    public void Nesterov_momentum_matches_keras_and_differs_from_plain_momentum()
    {
        using var opt = new Sgd(new SgdConfig(LearningRate: 0.05, Momentum: 0.9, Nesterov: true));
        var run = Run(opt);
        AssertClose(Keras(0.05, 0.9, true), run);
        AssertDiffer(Keras(0.05, 0.9, false), run);
    }

    [Fact]
    public void Defaults_are_keras_and_live_in_the_config_record()
    {
        using var opt = new Sgd();
        Assert.Equal(new SgdConfig(0.01, 0.0, false), opt.GetConfig());
        using var named = OptimizerRegistry.Get("sgd");
        Assert.Equal(opt.GetConfig(), named.GetConfig());
        Assert.Equal("SGD", opt.KerasClassName);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd(momentum: 1.0));
    }
}
