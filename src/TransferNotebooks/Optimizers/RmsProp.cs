using System.Runtime.CompilerServices;
using System.Text.Json.Serialization;
using TorchSharp;
using static TorchSharp.torch;

namespace TransferNotebooks.Optimizers;

/// <summary>RMSprop's hyper-parameters with Keras's defaults (<c>keras.optimizers.RMSprop</c>), plus this library's <c>torch_style</c>.</summary>
/// <param name="LearningRate">The learning rate (Keras default 0.001).</param>
/// <param name="Rho">Decay of the squared-gradient average (Keras <c>rho</c>, 0.9).</param>
/// <param name="Momentum">Momentum on the increments (Keras <c>momentum</c>, 0: none).</param>
/// <param name="Epsilon">Numerical stabiliser (Keras <c>epsilon</c>, 1e-7, inside the square root).</param>
/// <param name="Centered">Normalise by the gradient's estimated variance instead of its second moment (Keras <c>centered</c>).</param>
/// <param name="TorchStyle">This library's own: torch.optim's epsilon placement, outside the square root (not written to Keras files).</param>
public sealed record RmsPropConfig(
    double LearningRate = 0.001,
    [property: JsonPropertyName("rho")] double Rho = 0.9,
    [property: JsonPropertyName("momentum")] double Momentum = 0.0,
    [property: JsonPropertyName("epsilon")] double Epsilon = 1e-7,
    [property: JsonPropertyName("centered")] bool Centered = false,
    [property: JsonPropertyName("torch_style")] bool TorchStyle = false) : OptimizerConfig(LearningRate)
{
    /// <inheritdoc />
    public override IReadOnlyCollection<string> LibraryOnlyKeys() => ["torch_style"];
}

[JsonSerializable(typeof(RmsPropConfig))]
internal sealed partial class RmsPropJson : JsonSerializerContext;

/// <summary>
/// RMSprop. Keras's rule by default: <c>v = rho*v + (1-rho)*g^2; w -= lr*g/sqrt(v + eps)</c> (eps 1e-7 inside the root);
/// centered: <c>a = rho*a + (1-rho)*g; w -= lr*g/sqrt(v - a^2 + eps)</c>; with momentum the increment feeds
/// <c>m = momentum*m + increment; w -= m</c>. With <see cref="TorchStyle"/>, torch.optim's epsilon placement: <c>sqrt(...) + eps</c>.
/// </summary>
public sealed class RmsProp : Optimizer
{
    readonly RmsPropConfig config;

    internal static void Register() => OptimizerRegistry.Register("rmsprop", RmsPropJson.Default.RmsPropConfig, () => new RmsPropConfig(), c => new RmsProp(c));

    /// <summary>Creates RMSprop from its config record.</summary>
    public RmsProp(RmsPropConfig config) : base(config.LearningRate)
    {
        if (config.Momentum is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(config), config.Momentum, "Momentum must be in [0, 1), for example 0.9.");
        this.config = config;
    }

    /// <summary>Creates RMSprop; every setting left out takes Keras's default from <see cref="RmsPropConfig"/>.</summary>
    public RmsProp(double? learningRate = null, double? rho = null, double? epsilon = null, bool? torchStyle = null, double? momentum = null, bool? centered = null)
        : this(Defaults(learningRate, rho, epsilon, torchStyle, momentum, centered)) { }

    static RmsPropConfig Defaults(double? learningRate, double? rho, double? epsilon, bool? torchStyle, double? momentum, bool? centered)
    {
        var d = new RmsPropConfig();
        return new(learningRate ?? d.LearningRate, rho ?? d.Rho, momentum ?? d.Momentum, epsilon ?? d.Epsilon, centered ?? d.Centered, torchStyle ?? d.TorchStyle);
    }

    /// <summary>Decay of the squared-gradient average.</summary>
    public double Rho => config.Rho;
    /// <summary>Momentum on the increments (0: none).</summary>
    public double Momentum => config.Momentum;
    /// <summary>Numerical stabiliser.</summary>
    public double Epsilon => config.Epsilon;
    /// <summary>Centered RMSprop (divides by the estimated variance).</summary>
    public bool Centered => config.Centered;
    /// <summary>Use torch.optim's epsilon placement.</summary>
    public bool TorchStyle => config.TorchStyle;
    /// <inheritdoc />
    public override string Name => "rmsprop";
    /// <inheritdoc />
    public override string KerasClassName => "RMSprop";

    /// <inheritdoc />
    /// <remarks>Slot 0 is the squared-gradient average, then the momentum (when momentum &gt; 0), then the gradient average (when centered).</remarks>
    protected override Tensor[] CreateSlots(Tensor parameter)
    {
        var slots = new List<Tensor> { Slot(parameter) };
        if (Momentum > 0) slots.Add(Slot(parameter));
        if (Centered) slots.Add(Slot(parameter));
        return [.. slots];
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected override void Update(Tensor p, Tensor g, Tensor[] slots, double lr)
    {
        using Scalar rho = Rho, oneMinusRho = 1 - Rho, eps = Epsilon, minusLr = -lr;
        var v = slots[0];
        v.mul_(rho).addcmul_(g, g, oneMinusRho);
        using var variance = Centered ? v - slots[^1].mul_(rho).add_(g, oneMinusRho).square() : v.alias();
        using var denom = TorchStyle ? variance.sqrt().add_(eps, Scalars.One) : variance.add(eps, Scalars.One).sqrt_();
        if (Momentum > 0)
        {
            using Scalar momentum = Momentum, lrScalar = lr;
            var m = slots[1];
            m.mul_(momentum).addcdiv_(g, denom, lrScalar);
            p.sub_(m);
        }
        else p.addcdiv_(g, denom, minusLr);
    }

    /// <inheritdoc />
    public override RmsPropConfig GetConfig() => config with { LearningRate = LearningRate };
}

/// <summary>Queues <see cref="RmsProp"/>'s registration for the first registry lookup (see <see cref="PendingRegistrations"/>).</summary>
internal static class RmsPropRegisterQueue
{
    [ModuleInitializer] internal static void Queue() => PendingRegistrations.Defer(static () => RmsProp.Register());
}
