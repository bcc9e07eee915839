using TransferNotebooks.Optimizers;
using static TransferNotebooks.Tests.Optimizers.KerasReference;

namespace TransferNotebooks.Tests.Optimizers;

/// <summary>
/// AdamW against keras/src/optimizers/adamw.py and base_optimizer's <c>_apply_weight_decay</c>: before the Adam update,
/// <c>w -= w * weight_decay * lr</c>.
/// </summary>
public class AdamWTests
{
    static double[][] Keras(double lr, double wd, bool amsgrad = false) => Expected((w, g, t, s) =>
    {
        w -= w * wd * lr;
        return AdamTests.KerasStep(w, g, t, s, lr, 0.9, 0.999, 1e-7, amsgrad);
    }, slots: 3);

    [Fact]
    public void Decoupled_weight_decay_matches_keras()
    {
        using var opt = new AdamW(learningRate: 0.05, weightDecay: 0.1);
        var run = Run(opt);
        AssertClose(Keras(0.05, 0.1), run);
        AssertDiffer(Keras(0.05, 0.0), run);
    }

    [Fact]
    public void Default_weight_decay_and_amsgrad_match_keras()
    {
        using var opt = new AdamW(new AdamWConfig { LearningRate = 0.05, Amsgrad = true });
        AssertClose(Keras(0.05, 0.004, amsgrad: true), Run(opt));
    }

    [Fact]
    public void Defaults_are_keras_and_live_in_the_config_record()
    {
        using var opt = OptimizerRegistry.Get("adamw");
        var config = Assert.IsType<AdamWConfig>(opt.GetConfig());
        Assert.Equal(0.004, config.WeightDecay);
        Assert.Equal((0.001, 0.9, 0.999, 1e-7, false, false), (config.LearningRate, config.Beta1, config.Beta2, config.Epsilon, config.Amsgrad, config.TorchStyle));
        Assert.Equal("AdamW", opt.KerasClassName);
    }

}
