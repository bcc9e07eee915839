using System.Runtime.CompilerServices;
using System.Text.Json.Serialization;
using TorchSharp;
using static TorchSharp.torch;

namespace TransferNotebooks.Optimizers;

/// <summary>
/// AdamW's hyper-parameters (<c>keras.optimizers.AdamW</c>): Adam's (<see cref="AdamConfig"/>, same defaults) plus the weight decay,
/// Keras default 0.004. Set the Adam settings with an initializer: <c>new AdamWConfig(0.01) { LearningRate = 0.002 }</c>.
/// </summary>
/// <param name="WeightDecay">The decoupled weight-decay factor (Keras <c>weight_decay</c>).</param>
public sealed record AdamWConfig([property: JsonPropertyName("weight_decay")] double WeightDecay = 0.004) : AdamConfig;

[JsonSerializable(typeof(AdamWConfig))]
internal sealed partial class AdamWJson : JsonSerializerContext;

/// <summary>AdamW: Adam with decoupled weight decay (Keras default 0.004): <c>w -= lr * wd * w</c> before the Adam step. Frozen weights never decay.</summary>
public sealed class AdamW : Adam
{
    internal static void RegisterAdamW() => OptimizerRegistry.Register("adamw", AdamWJson.Default.AdamWConfig, () => new AdamWConfig(), c => new AdamW(c));

    /// <summary>Creates AdamW from its config record.</summary>
    public AdamW(AdamWConfig config) : base(config) => WeightDecay = config.WeightDecay;

    /// <summary>Creates AdamW; every setting left out takes Keras's default from <see cref="AdamWConfig"/>.</summary>
    public AdamW(double? learningRate = null, double? weightDecay = null, double? beta1 = null, double? beta2 = null, double? epsilon = null, bool? torchStyle = null, bool? amsgrad = null)
        : this(Defaults(learningRate, weightDecay, beta1, beta2, epsilon, torchStyle, amsgrad)) { }

    static AdamWConfig Defaults(double? learningRate, double? weightDecay, double? beta1, double? beta2, double? epsilon, bool? torchStyle, bool? amsgrad)
    {
        var d = new AdamWConfig();
        return Override(d with { WeightDecay = weightDecay ?? d.WeightDecay }, learningRate, beta1, beta2, epsilon, torchStyle, amsgrad);
    }

    /// <summary>The decay factor.</summary>
    public double WeightDecay { get; }
    /// <inheritdoc />
    public override string Name => "adamw";
    /// <inheritdoc />
    public override string KerasClassName => "AdamW";

    /// <inheritdoc />
    protected override void DecayWeights(Tensor parameter, double learningRate)
    {
        using Scalar keep = 1 - learningRate * WeightDecay;
        parameter.mul_(keep);
    }

    /// <inheritdoc />
    public override AdamWConfig GetConfig() => (AdamWConfig)base.GetConfig();
}

/// <summary>Queues <see cref="AdamW"/>'s registration for the first registry lookup (see <see cref="PendingRegistrations"/>).</summary>
internal static class AdamWRegisterAdamWQueue
{
    [ModuleInitializer] internal static void Queue() => PendingRegistrations.Defer(static () => AdamW.RegisterAdamW());
}
