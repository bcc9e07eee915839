using TransferNotebooks.Optimizers;
using static TorchSharp.torch;
using static TransferNotebooks.Tests.Optimizers.KerasReference;

namespace TransferNotebooks.Tests.Optimizers;

/// <summary>
/// Adam against keras/src/optimizers/adam.py: <c>alpha = lr*sqrt(1-b2^t)/(1-b1^t)</c>, <c>m += (g-m)(1-b1)</c>, <c>v += (g^2-v)(1-b2)</c>,
/// AMSGrad <c>v_hat = max(v_hat, v)</c> used for <c>v</c>, <c>w -= alpha*m/(sqrt(v)+eps)</c>.
/// </summary>
public class AdamTests
{
    /// <summary>Keras's Adam step for one element (slots: m, v, v_hat), shared with the AdamW tests.</summary>
    internal static double KerasStep(double w, double g, int t, double[] s, double lr, double b1, double b2, double eps, bool amsgrad)
    {
        double alpha = lr * Math.Sqrt(1 - Math.Pow(b2, t)) / (1 - Math.Pow(b1, t));
        s[0] += (g - s[0]) * (1 - b1);
        s[1] += (g * g - s[1]) * (1 - b2);
        double v = s[1];
        if (amsgrad)
        {
            s[2] = Math.Max(s[2], s[1]);
            v = s[2];
        }
        return w - s[0] * alpha / (Math.Sqrt(v) + eps);
    }

    static double[][] Keras(double lr, double b1 = 0.9, double b2 = 0.999, double eps = 1e-7, bool amsgrad = false) =>
        Expected((w, g, t, s) => KerasStep(w, g, t, s, lr, b1, b2, eps, amsgrad), slots: 3);

    [Fact]
    public void Adam_matches_keras_over_several_steps()
    {
        using var opt = new Adam(learningRate: 0.01);
        AssertClose(Keras(0.01), Run(opt));
    }

    [Fact]
    public void Other_betas_and_epsilon_match_keras()
    {
        using var opt = new Adam(new AdamConfig(LearningRate: 0.05, Beta1: 0.8, Beta2: 0.95, Epsilon: 0.01));
        AssertClose(Keras(0.05, 0.8, 0.95, 0.01), Run(opt));
    }

    [Fact]
    public void Amsgrad_matches_keras_and_changes_the_steps()
    {
        using var opt = new Adam(new AdamConfig(LearningRate: 0.05, Beta2: 0.9, Amsgrad: true));
        var run = Run(opt);
        AssertClose(Keras(0.05, b2: 0.9, amsgrad: true), run);
        AssertDiffer(Keras(0.05, b2: 0.9), run);
    }

    [Fact]
    public void Keras_adam_step_matches_its_formula_and_differs_from_torch_style_by_epsilon_placement()
    {
        static float Step(bool torchStyle)
        {
            using var p = tensor(new float[] { 1f }).requires_grad_();
            using var opt = new Adam(learningRate: 0.1, epsilon: 0.5, torchStyle: torchStyle);
            using (var l = (p * p).sum()) l.backward();   // g = 2
            opt.Step([p]);
            return p.data<float>()[0];
        }
        double g = 2, m = 0.1 * g, v = 0.001 * g * g;
        double kerasLrT = 0.1 * Math.Sqrt(1 - 0.999) / (1 - 0.9);
        Assert.Equal(1 - kerasLrT * m / (Math.Sqrt(v) + 0.5), Step(false), 5);
        double torch = 1 - 0.1 / (1 - 0.9) * m / (Math.Sqrt(v) / Math.Sqrt(1 - 0.999) + 0.5);
        Assert.Equal(torch, Step(true), 5);
    }

    [Fact]
    public void Defaults_are_keras_and_live_in_the_config_record()
    {
        using var opt = new Adam();
        Assert.Equal(new AdamConfig(0.001, 0.9, 0.999, 1e-7, false, false), opt.GetConfig());
        using var named = OptimizerRegistry.Get("adam");
        Assert.Equal(opt.GetConfig(), named.GetConfig());
        Assert.Equal("Adam", opt.KerasClassName);
    }

    [Fact]
    public void The_config_follows_the_learning_rate_set_by_callbacks()
    {
        using var opt = new Adam(learningRate: 0.01);
        opt.LearningRate = 0.002;
        Assert.Equal(0.002, opt.GetConfig().LearningRate);
    }
}
