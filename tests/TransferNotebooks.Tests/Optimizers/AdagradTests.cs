using TransferNotebooks.Optimizers;
using static TransferNotebooks.Tests.Optimizers.KerasReference;

namespace TransferNotebooks.Tests.Optimizers;

/// <summary>Adagrad against keras/src/optimizers/adagrad.py: accumulators start at 0.1, <c>a += g^2; w -= lr*g/sqrt(a + eps)</c>.</summary>
public class AdagradTests
{
    static double[][] Keras(double lr, double initial, double eps) => Expected((w, g, t, s) =>
    {
        s[0] += g * g;
        return w - lr * g / Math.Sqrt(s[0] + eps);
    }, slots: 1, initial: _ => initial);

    [Fact]
    public void Adagrad_matches_keras_with_its_initial_accumulator_value()
    {
        using var opt = new Adagrad(learningRate: 0.1);
        var run = Run(opt);
        AssertClose(Keras(0.1, 0.1, 1e-7), run);
        AssertDiffer(Keras(0.1, 0.0, 1e-7), run); // the 0.1 start matters
    }

    [Fact]
    public void Other_settings_match_keras()
    {
        using var opt = new Adagrad(new AdagradConfig(LearningRate: 0.05, InitialAccumulatorValue: 0.5, Epsilon: 0.01));
        AssertClose(Keras(0.05, 0.5, 0.01), Run(opt));
    }

    [Fact]
    public void Defaults_are_keras_and_live_in_the_config_record()
    {
        using var opt = OptimizerRegistry.Get("adagrad");
        Assert.Equal(new AdagradConfig(0.001, 0.1, 1e-7), opt.GetConfig());
        Assert.Equal("Adagrad", opt.KerasClassName);
    }
}
