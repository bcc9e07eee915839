using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using static TorchSharp.torch;

namespace TransferNotebooks.Losses;

/// <summary>What a model's output tensor holds when it reaches the loss.</summary>
public enum OutputForm
{
    /// <summary>Probabilities (after softmax / sigmoid) or plain regression values.</summary>
    Probabilities,
    /// <summary>Pre-activation logits; the loss applies the activation in its fused, numerically stable form.</summary>
    Logits,
}

/// <summary>What form of target a loss expects, used to check labels before training.</summary>
public enum TargetKind
{
    /// <summary>Integer class indices [N].</summary>
    ClassIndices,
    /// <summary>One-hot or probability rows [N, classes].</summary>
    OneHot,
    /// <summary>0/1 targets with the output's shape.</summary>
    Binary,
    /// <summary>Real-valued targets with the output's shape.</summary>
    Values,
}

/// <summary>A loss's settings, Keras-named (the defaults are Keras's and this is their only copy).</summary>
/// <param name="FromLogits">The model outputs logits (no final softmax/sigmoid): Keras's <c>from_logits</c>. Only losses with a
/// <see cref="Loss.FusedActivation"/> use it.</param>
public sealed record LossConfig([property: JsonPropertyName("from_logits")] bool FromLogits = false)
{
    /// <summary>The config as a JSON object with Keras's snake_case keys.</summary>
    public JsonObject ToJson() => JsonSerializer.SerializeToNode(this, LossJson.Default.LossConfig)!.AsObject();

    /// <summary>The config from a JSON object (Keras's keys; others ignored, missing ones take the defaults).</summary>
    public static LossConfig FromJson(JsonNode? node) => node is JsonObject o ? o.Deserialize(LossJson.Default.LossConfig) ?? new() : new();
}

[JsonSerializable(typeof(LossConfig))]
internal sealed partial class LossJson : JsonSerializerContext;

/// <summary>
/// A loss function (Keras semantics: per-sample values averaged over the batch). Losses whose <see cref="FusedActivation"/>
/// matches the model's final activation receive logits and compute the stable fused form (log-softmax / BCE-with-logits).
/// Strings convert implicitly: <c>loss: "sparse_categorical_crossentropy"</c>.
/// </summary>
public abstract class Loss
{
    bool fromLogits = new LossConfig().FromLogits;

    /// <summary>The Keras name (the registry key: <c>sparse_categorical_crossentropy</c>).</summary>
    public abstract string Name { get; }

    /// <summary>
    /// The Keras class name (<c>keras.losses.SparseCategoricalCrossentropy</c> is <c>SparseCategoricalCrossentropy</c>), written to and
    /// read from Keras compile configs. By default the Pascal-case form of <see cref="Name"/>.
    /// </summary>
    public virtual string KerasClassName => string.Concat(Name.Split('_').Select(p => p.Length == 0 ? p : char.ToUpperInvariant(p[0]) + p[1..]));

    /// <summary>True when the model outputs logits (no final softmax/sigmoid), Keras's <c>from_logits</c>.</summary>
    public bool FromLogits { get => fromLogits; init => fromLogits = value; }

    /// <summary>The loss's settings as its config record.</summary>
    public LossConfig GetConfig() => new(FromLogits);

    /// <summary>
    /// This loss with <see cref="FromLogits"/> set: a copy when it changes, this loss when it does not or when the loss has no
    /// <see cref="FusedActivation"/> (a regression loss ignores <c>from_logits</c>, as before). The one place Keras imports and our
    /// model files turn a saved <c>from_logits</c> into a loss.
    /// </summary>
    public Loss WithFromLogits(bool fromLogits = true)
    {
        if (fromLogits == FromLogits || FusedActivation is null) return this;
        var copy = (Loss)MemberwiseClone();
        copy.fromLogits = fromLogits;
        return copy;
    }

    /// <summary>This loss with a config's settings applied (see <see cref="WithFromLogits"/>).</summary>
    public Loss WithConfig(LossConfig config) => WithFromLogits(config.FromLogits);

    /// <summary>The activation this loss can fuse with (<c>softmax</c> or <c>sigmoid</c>), or null.</summary>
    public virtual string? FusedActivation => null;

    /// <summary>What the targets must look like.</summary>
    public abstract TargetKind Targets { get; }

    /// <summary>
    /// Checks labels against the model's output before training, with a message that says what to change: the rule of
    /// <see cref="Targets"/> (see <see cref="TargetValidation"/>).
    /// </summary>
    /// <param name="y">The labels, one row per sample.</param>
    /// <param name="samples">The number of samples.</param>
    /// <param name="outputShape">The model's output shape per sample (without the batch), or null when unknown.</param>
    /// <param name="outputLayerName">The output layer's name, for messages.</param>
    /// <exception cref="ArgumentException">The labels do not fit the loss or the output layer.</exception>
    public virtual void ValidateTargets(Tensor y, long samples, int[]? outputShape, string? outputLayerName) =>
        TargetValidation.Check(this, y, samples, outputShape, outputLayerName);

    /// <summary>The loss of each sample, shape [N].</summary>
    public abstract Tensor PerSample(Tensor yTrue, Tensor yPred, OutputForm form);

    /// <summary>The batch mean, optionally weighted per sample (Keras: sum of weighted losses / batch size).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public virtual Tensor Compute(Tensor yTrue, Tensor yPred, OutputForm? form = null, Tensor? sampleWeight = null)
    {
        using var perSample = PerSample(yTrue, yPred, form ?? (FromLogits ? OutputForm.Logits : OutputForm.Probabilities));
        if (sampleWeight is null) return perSample.mean();
        using var weighted = perSample * sampleWeight;
        return weighted.mean();
    }

    /// <summary>Looks a loss up by Keras name.</summary>
    public static implicit operator Loss(string name) => LossRegistry.Get(name);

    /// <inheritdoc />
    public override string ToString() => Name;

    /// <summary>Keras's epsilon for clipping probabilities.</summary>
    protected const double Epsilon = 1e-7;

    /// <summary>
    /// The targets in the predictions' dtype and shape (labels [N] for outputs [N, 1]); no operation when they already are, so
    /// the usual case adds nothing to the batch's graph.
    /// </summary>
    protected static Tensor TargetsLike(Tensor yTrue, Tensor yPred)
    {
        var t = yTrue.dtype == yPred.dtype ? yTrue : yTrue.to_type(yPred.dtype);
        return TensorShapes.ReshapeLike(t, yPred);
    }

    /// <summary>
    /// Keras's per-sample value of a per-element loss: the mean over every axis but the first. One element per sample (an
    /// [N, 1] output) is a view of it, not a mean over one value: the same numbers with one operation less forward and backward.
    /// </summary>
    protected static Tensor MeanPerSample(Tensor perElement)
    {
        if (perElement.dim() <= 1) return perElement;
        long n = perElement.size(0);
        return perElement.numel() == n ? perElement.reshape(n) : perElement.reshape(n, -1).mean([1]);
    }
}
