using System.Runtime.CompilerServices;
using System.Text.Json.Serialization;
using TorchSharp;
using static TorchSharp.torch;

namespace TransferNotebooks.Optimizers;

/// <summary>Adam's hyper-parameters with Keras's defaults (<c>keras.optimizers.Adam</c>), plus this library's <c>torch_style</c>.</summary>
/// <param name="LearningRate">The learning rate (Keras default 0.001).</param>
/// <param name="Beta1">First-moment decay (Keras <c>beta_1</c>, 0.9).</param>
/// <param name="Beta2">Second-moment decay (Keras <c>beta_2</c>, 0.999).</param>
/// <param name="Epsilon">Numerical stabiliser (Keras <c>epsilon</c>, 1e-7).</param>
/// <param name="Amsgrad">Use the running maximum of the second moment (Keras <c>amsgrad</c>).</param>
/// <param name="TorchStyle">This library's own: torch.optim's epsilon placement (not written to Keras files).</param>
public record AdamConfig(
    double LearningRate = 0.001,
    [property: JsonPropertyName("beta_1")] double Beta1 = 0.9,
    [property: JsonPropertyName("beta_2")] double Beta2 = 0.999,
    [property: JsonPropertyName("epsilon")] double Epsilon = 1e-7,
    [property: JsonPropertyName("amsgrad")] bool Amsgrad = false,
    [property: JsonPropertyName("torch_style")] bool TorchStyle = false) : OptimizerConfig(LearningRate)
{
    /// <inheritdoc />
    public override IReadOnlyCollection<string> LibraryOnlyKeys() => ["torch_style"];
}

[JsonSerializable(typeof(AdamConfig))]
internal sealed partial class AdamJson : JsonSerializerContext;

/// <summary>
/// Adam. Keras's update by default: <c>w -= lr_t * m / (sqrt(v) + eps)</c> with <c>lr_t = lr * sqrt(1 - b2^t) / (1 - b1^t)</c>, eps 1e-7;
/// with <see cref="Amsgrad"/>, <c>v</c> in the denominator is the running maximum of <c>v</c>.
/// With <see cref="TorchStyle"/>, torch.optim.Adam's: <c>w -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)</c>.
/// </summary>
public class Adam : Optimizer
{
    readonly AdamConfig config;

    internal static void Register() => OptimizerRegistry.Register("adam", AdamJson.Default.AdamConfig, () => new AdamConfig(), c => new Adam(c));

    /// <summary>Creates Adam from its config record.</summary>
    public Adam(AdamConfig config) : base(config.LearningRate) => this.config = config;

    /// <summary>Creates Adam; every setting left out takes Keras's default from <see cref="AdamConfig"/>.</summary>
    public Adam(double? learningRate = null, double? beta1 = null, double? beta2 = null, double? epsilon = null, bool? torchStyle = null, bool? amsgrad = null)
        : this(Override(new AdamConfig(), learningRate, beta1, beta2, epsilon, torchStyle, amsgrad)) { }

    /// <summary>The config with the given settings replaced (null keeps the config's value).</summary>
    protected static T Override<T>(T config, double? learningRate, double? beta1, double? beta2, double? epsilon, bool? torchStyle, bool? amsgrad) where T : AdamConfig =>
        config with
        {
            LearningRate = learningRate ?? config.LearningRate, Beta1 = beta1 ?? config.Beta1, Beta2 = beta2 ?? config.Beta2,
            Epsilon = epsilon ?? config.Epsilon, TorchStyle = torchStyle ?? config.TorchStyle, Amsgrad = amsgrad ?? config.Amsgrad,
        };

    /// <summary>First-moment decay.</summary>
    public double Beta1 => config.Beta1;
    /// <summary>Second-moment decay.</summary>
    public double Beta2 => config.Beta2;
    /// <summary>Numerical stabiliser.</summary>
    public double Epsilon => config.Epsilon;
    /// <summary>AMSGrad: the denominator uses the running maximum of the second moment.</summary>
    public bool Amsgrad => config.Amsgrad;
    /// <summary>Use torch.optim's epsilon placement instead of Keras's.</summary>
    public bool TorchStyle => config.TorchStyle;
    /// <inheritdoc />
    public override string Name => "adam";
    /// <inheritdoc />
    public override string KerasClassName => "Adam";

    Scalar? b1, oneMinusB1, b2, oneMinusB2, eps;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected override void BeginStep()
    {
        b1 = Beta1; oneMinusB1 = 1 - Beta1; b2 = Beta2; oneMinusB2 = 1 - Beta2; eps = Epsilon;
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected override void EndStep()
    {
        b1?.Dispose(); oneMinusB1?.Dispose(); b2?.Dispose(); oneMinusB2?.Dispose(); eps?.Dispose();
    }

    /// <inheritdoc />
    /// <remarks>First moment, second moment, and with AMSGrad the running maximum of the second moment.</remarks>
    protected override Tensor[] CreateSlots(Tensor parameter) => Amsgrad ? [Slot(parameter), Slot(parameter), Slot(parameter)] : [Slot(parameter), Slot(parameter)];

    /// <summary>Applies weight decay before the Adam step (AdamW); nothing for plain Adam.</summary>
    protected virtual void DecayWeights(Tensor parameter, double learningRate) { }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected override void Update(Tensor p, Tensor g, Tensor[] slots, double lr)
    {
        DecayWeights(p, lr);
        var (m, v) = (slots[0], slots[1]);
        m.mul_(b1!).add_(g, oneMinusB1!);
        v.mul_(b2!).addcmul_(g, g, oneMinusB2!);
        if (Amsgrad)
        {
            var vHat = slots[2];
            vHat.copy_(vHat.maximum(v));
            v = vHat;
        }
        double t = Iterations;
        double c1 = 1 - Math.Pow(Beta1, t), c2 = 1 - Math.Pow(Beta2, t);
        if (!TorchStyle)
        {
            using Scalar step = -lr * Math.Sqrt(c2) / c1;
            using var denom = v.sqrt().add_(eps!, Scalars.One);
            p.addcdiv_(m, denom, step);
        }
        else
        {
            using Scalar step = -lr / c1;
            using Scalar sc2 = Math.Sqrt(c2);
            using var denom = v.sqrt().div_(sc2).add_(eps!, Scalars.One);
            p.addcdiv_(m, denom, step);
        }
    }

    /// <inheritdoc />
    public override AdamConfig GetConfig() => config with { LearningRate = LearningRate };
}

/// <summary>Queues <see cref="Adam"/>'s registration for the first registry lookup (see <see cref="PendingRegistrations"/>).</summary>
internal static class AdamRegisterQueue
{
    [ModuleInitializer] internal static void Queue() => PendingRegistrations.Defer(static () => Adam.Register());
}
