using TorchSharp;
using static TorchSharp.torch;

namespace TransferNotebooks.Optimizers;

/// <summary>Adagrad, Keras's rule and defaults: <c>a += g^2; w -= lr*g/sqrt(a + eps)</c>, accumulators start at 0.1.</summary>
public sealed class Adagrad : Optimizer
{
    /// <summary>Creates Adagrad with Keras's defaults.</summary>
    public Adagrad(double learningRate = 0.001, double initialAccumulatorValue = 0.1, double epsilon = 1e-7) : base(learningRate)
    {
        InitialAccumulatorValue = initialAccumulatorValue;
        Epsilon = epsilon;
    }

    /// <summary>Starting value of the accumulators.</summary>
    public double InitialAccumulatorValue { get; }
    /// <summary>Numerical stabiliser.</summary>
    public double Epsilon { get; }
    /// <inheritdoc />
    public override string Name => "adagrad";

    /// <inheritdoc />
    protected override Tensor[] CreateSlots(Tensor parameter) => [Slot(parameter, InitialAccumulatorValue)];

    /// <inheritdoc />
    protected override void Update(Tensor p, Tensor g, Tensor[] slots, double lr)
    {
        using Scalar eps = Epsilon, minusLr = -lr, one = 1.0;
        var a = slots[0];
        a.addcmul_(g, g, one);
        using var denom = a.add(eps).sqrt_();
        p.addcdiv_(g, denom, minusLr);
    }

    /// <inheritdoc />
    public override IReadOnlyDictionary<string, double> GetConfig() => new Dictionary<string, double>
    { ["learning_rate"] = LearningRate, ["initial_accumulator_value"] = InitialAccumulatorValue, ["epsilon"] = Epsilon };
}
