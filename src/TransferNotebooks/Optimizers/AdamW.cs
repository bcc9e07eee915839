using TorchSharp;
using static TorchSharp.torch;

namespace TransferNotebooks.Optimizers;

/// <summary>AdamW: Adam with decoupled weight decay (Keras default 0.004): <c>w -= lr * wd * w</c> before the Adam step. Frozen weights never decay.</summary>
public sealed class AdamW : Adam
{
    /// <summary>Creates AdamW with Keras's defaults.</summary>
    public AdamW(double learningRate = 0.001, double weightDecay = 0.004, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-7, bool torchStyle = false)
        : base(learningRate, beta1, beta2, epsilon, torchStyle) => WeightDecay = weightDecay;

    /// <summary>The decay factor.</summary>
    public double WeightDecay { get; }
    /// <inheritdoc />
    public override string Name => "adamw";

    /// <inheritdoc />
    protected override void DecayWeights(Tensor parameter, double learningRate)
    {
        using Scalar keep = 1 - learningRate * WeightDecay;
        parameter.mul_(keep);
    }

    /// <inheritdoc />
    public override IReadOnlyDictionary<string, double> GetConfig() =>
        new Dictionary<string, double>(base.GetConfig()) { ["weight_decay"] = WeightDecay };
}
