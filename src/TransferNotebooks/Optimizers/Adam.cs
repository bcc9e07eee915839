using TorchSharp;
using static TorchSharp.torch;

namespace TransferNotebooks.Optimizers;

/// <summary>
/// Adam. Keras's update by default: <c>w -= lr_t * m / (sqrt(v) + eps)</c> with <c>lr_t = lr * sqrt(1 - b2^t) / (1 - b1^t)</c>, eps 1e-7.
/// With <see cref="TorchStyle"/>, torch.optim.Adam's: <c>w -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)</c>.
/// </summary>
public class Adam : Optimizer
{
    /// <summary>Creates Adam with Keras's defaults.</summary>
    public Adam(double learningRate = 0.001, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-7, bool torchStyle = false) : base(learningRate)
    {
        Beta1 = beta1;
        Beta2 = beta2;
        Epsilon = epsilon;
        TorchStyle = torchStyle;
    }

    /// <summary>First-moment decay.</summary>
    public double Beta1 { get; }
    /// <summary>Second-moment decay.</summary>
    public double Beta2 { get; }
    /// <summary>Numerical stabiliser.</summary>
    public double Epsilon { get; }
    /// <summary>Use torch.optim's epsilon placement instead of Keras's.</summary>
    public bool TorchStyle { get; }
    /// <inheritdoc />
    public override string Name => "adam";

    Scalar? b1, oneMinusB1, b2, oneMinusB2, eps;

    /// <inheritdoc />
    protected override void BeginStep()
    {
        b1 = Beta1; oneMinusB1 = 1 - Beta1; b2 = Beta2; oneMinusB2 = 1 - Beta2; eps = Epsilon;
    }

    /// <inheritdoc />
    protected override void EndStep()
    {
        b1?.Dispose(); oneMinusB1?.Dispose(); b2?.Dispose(); oneMinusB2?.Dispose(); eps?.Dispose();
    }

    /// <inheritdoc />
    protected override Tensor[] CreateSlots(Tensor parameter) => [Slot(parameter), Slot(parameter)];

    /// <summary>Applies weight decay before the Adam step (AdamW); nothing for plain Adam.</summary>
    protected virtual void DecayWeights(Tensor parameter, double learningRate) { }

    /// <inheritdoc />
    protected override void Update(Tensor p, Tensor g, Tensor[] slots, double lr)
    {
        DecayWeights(p, lr);
        var (m, v) = (slots[0], slots[1]);
        m.mul_(b1!).add_(g, oneMinusB1!);
        v.mul_(b2!).addcmul_(g, g, oneMinusB2!);
        double t = Iterations;
        double c1 = 1 - Math.Pow(Beta1, t), c2 = 1 - Math.Pow(Beta2, t);
        if (!TorchStyle)
        {
            using Scalar step = -lr * Math.Sqrt(c2) / c1;
            using var denom = v.sqrt().add_(eps!);
            p.addcdiv_(m, denom, step);
        }
        else
        {
            using Scalar step = -lr / c1;
            using Scalar sc2 = Math.Sqrt(c2);
            using var denom = v.sqrt().div_(sc2).add_(eps!);
            p.addcdiv_(m, denom, step);
        }
    }

    /// <inheritdoc />
    public override IReadOnlyDictionary<string, double> GetConfig() => new Dictionary<string, double>
    { ["learning_rate"] = LearningRate, ["beta_1"] = Beta1, ["beta_2"] = Beta2, ["epsilon"] = Epsilon, ["torch_style"] = TorchStyle ? 1 : 0 };
}
