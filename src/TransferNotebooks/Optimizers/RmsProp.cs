using TorchSharp;
using static TorchSharp.torch;

namespace TransferNotebooks.Optimizers;

/// <summary>
/// RMSprop. Keras's rule by default: <c>v = rho*v + (1-rho)*g^2; w -= lr*g/sqrt(v + eps)</c> (eps 1e-7 inside the root);
/// with <see cref="TorchStyle"/>, torch.optim's: <c>w -= lr*g/(sqrt(v) + eps)</c>.
/// </summary>
public sealed class RmsProp : Optimizer
{
    /// <summary>Creates RMSprop with Keras's defaults.</summary>
    public RmsProp(double learningRate = 0.001, double rho = 0.9, double epsilon = 1e-7, bool torchStyle = false) : base(learningRate)
    {
        Rho = rho;
        Epsilon = epsilon;
        TorchStyle = torchStyle;
    }

    /// <summary>Decay of the squared-gradient average.</summary>
    public double Rho { get; }
    /// <summary>Numerical stabiliser.</summary>
    public double Epsilon { get; }
    /// <summary>Use torch.optim's epsilon placement.</summary>
    public bool TorchStyle { get; }
    /// <inheritdoc />
    public override string Name => "rmsprop";

    /// <inheritdoc />
    protected override Tensor[] CreateSlots(Tensor parameter) => [Slot(parameter)];

    /// <inheritdoc />
    protected override void Update(Tensor p, Tensor g, Tensor[] slots, double lr)
    {
        using Scalar rho = Rho, oneMinusRho = 1 - Rho, eps = Epsilon, minusLr = -lr;
        var v = slots[0];
        v.mul_(rho).addcmul_(g, g, oneMinusRho);
        using var denom = TorchStyle ? v.sqrt().add_(eps) : v.add(eps).sqrt_();
        p.addcdiv_(g, denom, minusLr);
    }

    /// <inheritdoc />
    public override IReadOnlyDictionary<string, double> GetConfig() => new Dictionary<string, double>
    { ["learning_rate"] = LearningRate, ["rho"] = Rho, ["epsilon"] = Epsilon, ["torch_style"] = TorchStyle ? 1 : 0 };
}
