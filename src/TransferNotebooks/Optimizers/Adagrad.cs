using System.Runtime.CompilerServices;
using System.Text.Json.Serialization;
using TorchSharp;
using static TorchSharp.torch;

namespace TransferNotebooks.Optimizers;

/// <summary>Adagrad's hyper-parameters with Keras's defaults (<c>keras.optimizers.Adagrad</c>).</summary>
/// <param name="LearningRate">The learning rate (Keras default 0.001).</param>
/// <param name="InitialAccumulatorValue">Starting value of the accumulators (Keras <c>initial_accumulator_value</c>, 0.1).</param>
/// <param name="Epsilon">Numerical stabiliser inside the square root (Keras <c>epsilon</c>, 1e-7).</param>
public sealed record AdagradConfig(
    double LearningRate = 0.001,
    [property: JsonPropertyName("initial_accumulator_value")] double InitialAccumulatorValue = 0.1,
    [property: JsonPropertyName("epsilon")] double Epsilon = 1e-7) : OptimizerConfig(LearningRate);

[JsonSerializable(typeof(AdagradConfig))]
internal sealed partial class AdagradJson : JsonSerializerContext;

/// <summary>Adagrad, Keras's rule and defaults: <c>a += g^2; w -= lr*g/sqrt(a + eps)</c>, accumulators start at 0.1.</summary>
public sealed class Adagrad : Optimizer
{
    readonly AdagradConfig config;

    internal static void Register() => OptimizerRegistry.Register("adagrad", AdagradJson.Default.AdagradConfig, () => new AdagradConfig(), c => new Adagrad(c));

    /// <summary>Creates Adagrad from its config record.</summary>
    public Adagrad(AdagradConfig config) : base(config.LearningRate) => this.config = config;

    /// <summary>Creates Adagrad; every setting left out takes Keras's default from <see cref="AdagradConfig"/>.</summary>
    public Adagrad(double? learningRate = null, double? initialAccumulatorValue = null, double? epsilon = null)
        : this(Defaults(learningRate, initialAccumulatorValue, epsilon)) { }

    static AdagradConfig Defaults(double? learningRate, double? initialAccumulatorValue, double? epsilon)
    {
        var d = new AdagradConfig();
        return new(learningRate ?? d.LearningRate, initialAccumulatorValue ?? d.InitialAccumulatorValue, epsilon ?? d.Epsilon);
    }

    /// <summary>Starting value of the accumulators.</summary>
    public double InitialAccumulatorValue => config.InitialAccumulatorValue;
    /// <summary>Numerical stabiliser.</summary>
    public double Epsilon => config.Epsilon;
    /// <inheritdoc />
    public override string Name => "adagrad";
    /// <inheritdoc />
    public override string KerasClassName => "Adagrad";

    /// <inheritdoc />
    protected override Tensor[] CreateSlots(Tensor parameter) => [Slot(parameter, InitialAccumulatorValue)];

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected override void Update(Tensor p, Tensor g, Tensor[] slots, double lr)
    {
        using Scalar eps = Epsilon, minusLr = -lr, one = 1.0;
        var a = slots[0];
        a.addcmul_(g, g, one);
        using var denom = a.add(eps, one).sqrt_();
        p.addcdiv_(g, denom, minusLr);
    }

    /// <inheritdoc />
    public override AdagradConfig GetConfig() => config with { LearningRate = LearningRate };
}

/// <summary>Queues <see cref="Adagrad"/>'s registration for the first registry lookup (see <see cref="PendingRegistrations"/>).</summary>
internal static class AdagradRegisterQueue
{
    [ModuleInitializer] internal static void Queue() => PendingRegistrations.Defer(static () => Adagrad.Register());
}
