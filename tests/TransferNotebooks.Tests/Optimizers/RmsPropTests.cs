using TransferNotebooks.Optimizers;
using static TransferNotebooks.Tests.Optimizers.KerasReference;

namespace TransferNotebooks.Tests.Optimizers;

/// <summary>
/// RMSprop against keras/src/optimizers/rmsprop.py: <c>v = rho*v + (1-rho)*g^2</c>; centered: <c>a = rho*a + (1-rho)*g</c>,
/// denominator <c>v - a^2 + eps</c>, else <c>v + eps</c>; <c>increment = lr*g/sqrt(denominator)</c>; with momentum
/// <c>m = momentum*m + increment; w -= m</c>, else <c>w -= increment</c>. Keras puts epsilon inside the square root.
/// </summary>
public class RmsPropTests
{
    static double[][] Keras(double lr, double rho, double eps, double momentum = 0, bool centered = false) => Expected((w, g, t, s) =>
    {
        s[0] = rho * s[0] + (1 - rho) * g * g;
        double denominator;
        if (centered)
        {
            s[2] = rho * s[2] + (1 - rho) * g;
            denominator = s[0] - s[2] * s[2] + eps;
        }
        else denominator = s[0] + eps;
        double increment = lr * g / Math.Sqrt(denominator);
        if (momentum > 0)
        {
            s[1] = momentum * s[1] + increment;
            return w - s[1];
        }
        return w - increment;
    }, slots: 3);

    [Fact]
    public void Default_rmsprop_matches_keras()
    {
        using var opt = new RmsProp(learningRate: 0.01);
        AssertClose(Keras(0.01, 0.9, 1e-7), Run(opt));
    }

    [Fact]
    public void Epsilon_sits_inside_the_square_root_as_in_keras_and_outside_with_torch_style()
    {
        using var keras = new RmsProp(learningRate: 0.01, rho: 0.8, epsilon: 0.1);
        var run = Run(keras);
        AssertClose(Keras(0.01, 0.8, 0.1), run);
        using var torchStyle = new RmsProp(learningRate: 0.01, rho: 0.8, epsilon: 0.1, torchStyle: true);
        var torch = Expected((w, g, t, s) =>
        {
            s[0] = 0.8 * s[0] + 0.2 * g * g;
            return w - 0.01 * g / (Math.Sqrt(s[0]) + 0.1);
        }, slots: 1);
        AssertClose(torch, Run(torchStyle));
        AssertDiffer(torch, run);
    }

    [Fact]
    public void Momentum_matches_keras()
    {
        using var opt = new RmsProp(new RmsPropConfig(LearningRate: 0.01, Momentum: 0.5));
        AssertClose(Keras(0.01, 0.9, 1e-7, momentum: 0.5), Run(opt));
    }

    [Fact]
    public void Centered_matches_keras_with_and_without_momentum()
    {
        using var centered = new RmsProp(new RmsPropConfig(LearningRate: 0.01, Rho: 0.7, Centered: true));
        var run = Run(centered);
        AssertClose(Keras(0.01, 0.7, 1e-7, centered: true), run);
        AssertDiffer(Keras(0.01, 0.7, 1e-7), run);
        using var both = new RmsProp(new RmsPropConfig(LearningRate: 0.01, Rho: 0.7, Momentum: 0.3, Centered: true));
        AssertClose(Keras(0.01, 0.7, 1e-7, momentum: 0.3, centered: true), Run(both));
    }

    [Fact]
    public void Defaults_are_keras_and_live_in_the_config_record()
    {
        using var opt = OptimizerRegistry.Get("rmsprop");
        Assert.Equal(new RmsPropConfig(0.001, 0.9, 0.0, 1e-7, false, false), opt.GetConfig());
        Assert.Equal("RMSprop", opt.KerasClassName);
    }
}
