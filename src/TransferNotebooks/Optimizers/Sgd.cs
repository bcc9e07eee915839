using TorchSharp;
using static TorchSharp.torch;

namespace TransferNotebooks.Optimizers;

/// <summary>Stochastic gradient descent with optional (Nesterov) momentum, Keras's rule: <c>v = momentum*v - lr*g; w += v</c> (Nesterov: <c>w += momentum*v - lr*g</c>).</summary>
public sealed class Sgd : Optimizer
{
    /// <summary>Creates SGD with Keras's defaults (learning rate 0.01, no momentum).</summary>
    public Sgd(double learningRate = 0.01, double momentum = 0.0, bool nesterov = false) : base(learningRate)
    {
        if (momentum is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "Momentum must be in [0, 1), for example 0.9.");
        Momentum = momentum;
        Nesterov = nesterov;
    }

    /// <summary>Momentum factor.</summary>
    public double Momentum { get; }
    /// <summary>Nesterov momentum.</summary>
    public bool Nesterov { get; }
    /// <inheritdoc />
    public override string Name => "sgd";

    /// <inheritdoc />
    protected override Tensor[] CreateSlots(Tensor parameter) => Momentum > 0 ? [Slot(parameter)] : [];

    /// <inheritdoc />
    protected override void Update(Tensor p, Tensor g, Tensor[] slots, double lr)
    {
        using Scalar minusLr = -lr;
        if (Momentum == 0)
        {
            p.add_(g, minusLr);
            return;
        }
        using Scalar mom = Momentum;
        var v = slots[0];
        v.mul_(mom).add_(g, minusLr);
        if (Nesterov)
        {
            p.add_(v, mom).add_(g, minusLr);
        }
        else p.add_(v);
    }

    /// <inheritdoc />
    public override IReadOnlyDictionary<string, double> GetConfig() => new Dictionary<string, double>
    { ["learning_rate"] = LearningRate, ["momentum"] = Momentum, ["nesterov"] = Nesterov ? 1 : 0 };
}
