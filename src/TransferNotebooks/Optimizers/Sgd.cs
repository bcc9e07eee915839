using System.Runtime.CompilerServices;
using System.Text.Json.Serialization;
using TorchSharp;
using static TorchSharp.torch;

namespace TransferNotebooks.Optimizers;

/// <summary>SGD's hyper-parameters with Keras's defaults (<c>keras.optimizers.SGD</c>).</summary>
/// <param name="LearningRate">The learning rate (Keras default 0.01).</param>
/// <param name="Momentum">Momentum factor in [0, 1) (Keras <c>momentum</c>).</param>
/// <param name="Nesterov">Nesterov momentum (Keras <c>nesterov</c>).</param>
public sealed record SgdConfig(
    double LearningRate = 0.01,
    [property: JsonPropertyName("momentum")] double Momentum = 0.0,
    [property: JsonPropertyName("nesterov")] bool Nesterov = false) : OptimizerConfig(LearningRate);

[JsonSerializable(typeof(SgdConfig))]
internal sealed partial class SgdJson : JsonSerializerContext;

/// <summary>Stochastic gradient descent with optional (Nesterov) momentum, Keras's rule: <c>v = momentum*v - lr*g; w += v</c> (Nesterov: <c>w += momentum*v - lr*g</c>).</summary>
public sealed class Sgd : Optimizer
{
    readonly SgdConfig config;

    internal static void Register() => OptimizerRegistry.Register("sgd", SgdJson.Default.SgdConfig, () => new SgdConfig(), c => new Sgd(c));

    /// <summary>Creates SGD from its config record.</summary>
    public Sgd(SgdConfig config) : base(config.LearningRate)
    {
        if (config.Momentum is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(config), config.Momentum, "Momentum must be in [0, 1), for example 0.9.");
        this.config = config;
    }

    /// <summary>Creates SGD; every setting left out takes Keras's default from <see cref="SgdConfig"/> (learning rate 0.01, no momentum).</summary>
    public Sgd(double? learningRate = null, double? momentum = null, bool? nesterov = null) : this(Defaults(learningRate, momentum, nesterov)) { }

    static SgdConfig Defaults(double? learningRate, double? momentum, bool? nesterov)
    {
        var d = new SgdConfig();
        return new(learningRate ?? d.LearningRate, momentum ?? d.Momentum, nesterov ?? d.Nesterov);
    }

    /// <summary>Momentum factor.</summary>
    public double Momentum => config.Momentum;
    /// <summary>Nesterov momentum.</summary>
    public bool Nesterov => config.Nesterov;
    /// <inheritdoc />
    public override string Name => "sgd";
    /// <inheritdoc />
    public override string KerasClassName => "SGD";

    /// <inheritdoc />
    protected override Tensor[] CreateSlots(Tensor parameter) => Momentum > 0 ? [Slot(parameter)] : [];

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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
        else p.add_(v, Scalars.One);
    }

    /// <inheritdoc />
    public override SgdConfig GetConfig() => config with { LearningRate = LearningRate };
}

/// <summary>Queues <see cref="Sgd"/>'s registration for the first registry lookup (see <see cref="PendingRegistrations"/>).</summary>
internal static class SgdRegisterQueue
{
    [ModuleInitializer] internal static void Queue() => PendingRegistrations.Defer(static () => Sgd.Register());
}
