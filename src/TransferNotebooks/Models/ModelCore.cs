using System.Runtime.CompilerServices;
using TransferNotebooks.Layers;
using TransferNotebooks.Losses;
using TransferNotebooks.Training;
using static TorchSharp.torch;

namespace TransferNotebooks.Models;

/// <summary>
/// What <see cref="Sequential"/> and <see cref="Functional"/> share of <see cref="ITrainableModel"/>: input preparation (layout,
/// dtype, grayscale), data and label validation, the output layer's loss fusion, the freezing policy and named weights.
/// </summary>
internal static class ModelCore
{
    /// <summary>Whether a layer runs in training mode and updates: trainable, or a normalization layer the freezing policy keeps training.</summary>
    public static bool Trains(Layer l, FrozenBatchNorm policy) => l.Trainable || l.UpdatesWhenFrozen(policy == FrozenBatchNorm.KeepTraining);

    /// <summary>
    /// The output layer's result for the loop: logits when the loss fuses the final softmax/sigmoid (from_logits, or the layer's
    /// own activation run apart through <paramref name="withoutActivation"/>), else probabilities.
    /// </summary>
    public static ModelOutput Output(Loss? loss, bool forLoss, Layer last, Func<Tensor> call, Func<Tensor> withoutActivation)
    {
        if (forLoss && loss is not null)
        {
            if (loss.FromLogits)
            {
                var fused = loss.FusedActivation is "softmax" ? (Func<Tensor, Tensor>)(t => t.softmax(-1)) : loss.FusedActivation is "sigmoid" ? t => t.sigmoid() : null;
                return new ModelOutput(call(), OutputForm.Logits, fused);
            }
            if (loss.FusedActivation is { } act && last.OutputActivation is { } activation && activation.Name == act)
                return new ModelOutput(withoutActivation(), OutputForm.Logits, activation.Apply);
        }
        return new ModelOutput(call(), OutputForm.Probabilities, null);
    }

    /// <summary>
    /// Converts a batch in Keras layout to what the model's first layer takes: grayscale [N, H, W] to (H, W, 1), the first layer's
    /// dtype (or float32), images channels first. <paramref name="build"/> builds an unbuilt model for the given shape and returns its input shape.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static Tensor PrepareInput(Tensor x, Layer first, int[]? expected, Func<int[], int[]> build)
    {
        if (x.dim() < 1 || x.size(0) == 0) throw new ArgumentException("No samples: the input is empty.");
        var given = TensorShapes.SampleShape(x);
        if (expected is null)
        {
            if (first.InputHint(given) is { } problem) throw new ArgumentException(problem);
            expected = build(given);
        }
        Tensor t = x;
        if (expected.Length == 3 && given.Length == 2 && expected[2] == 1 && given[0] == expected[0] && given[1] == expected[1])
            t = x.unsqueeze(-1); // grayscale images [N, H, W] for an (H, W, 1) input
        var now = ReferenceEquals(t, x) ? given : TensorShapes.SampleShape(t);
        if (!now.SequenceEqual(expected))
        {
            string hint = first.InputHint(given) is { } problem ? " " + problem
                : expected.Length == 3 && given.Length == 2 ? $" Give images as [N, {expected[0]}, {expected[1]}, {expected[2]}] (channels last)." : "";
            throw new ArgumentException($"Input shape mismatch: layer '{first.Name}' ({first.TypeName}) expects {Layer.ShapeText(expected)} but got {Layer.ShapeText(given)}.{hint}");
        }
        if (first.InputDType is { } dtype) t = t.dtype == dtype ? t : t.to_type(dtype);
        else if (!t.is_floating_point()) t = t.to_type(ScalarType.Float32);
        if (expected.Length == 3) t = ImageLayout.ToChannelsFirst(t).contiguous();
        return t;
    }

    /// <summary>Checks inputs and labels before training (see <see cref="ITrainableModel.Validate"/>); <paramref name="outputShape"/> is read after <paramref name="ensureBuilt"/>.</summary>
    public static void Validate(Tensor x, Tensor? y, Loss? loss, Action<Tensor> checkInput, Action<Tensor> ensureBuilt, Func<int[]?> outputShape, string? lastName)
    {
        if (x.dim() < 1 || x.shape[0] == 0) throw new ArgumentException("No samples: the input is empty.");
        if (InputScan.HasNaN(x))
            throw new ArgumentException("The input contains NaN values. Clean or impute them first (for example x.nan_to_num()).");
        checkInput(x);
        if (y is null) return;
        if (y.shape[0] != x.shape[0])
            throw new ArgumentException($"Inputs and labels differ in length: {x.shape[0]} samples but {y.shape[0]} labels.");
        if (loss is null) throw CompileSettings.NotCompiled();
        ensureBuilt(x);
        loss.ValidateTargets(y, x.shape[0], outputShape(), lastName);
    }

    /// <summary>Every weight of <paramref name="layers"/> by qualified name <c>layer/weight</c> (the tensors themselves).</summary>
    public static IReadOnlyDictionary<string, Tensor> NamedWeights(IEnumerable<Layer> layers) =>
        layers.SelectMany(l => l.Weights.Select(w => (Key: $"{l.Name}/{w.Name}", w.Value))).ToDictionary(p => p.Key, p => p.Value);

    /// <summary>A deep copy of every weight by qualified name.</summary>
    public static IReadOnlyDictionary<string, Tensor> Snapshot(IEnumerable<Layer> layers)
    {
        using var noGrad = no_grad();
        return NamedWeights(layers).ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone().DetachFromDisposeScope());
    }

    /// <summary>Copies a <see cref="Snapshot"/> back.</summary>
    public static void Restore(IEnumerable<Layer> layers, IReadOnlyDictionary<string, Tensor> snapshot)
    {
        using var noGrad = no_grad();
        foreach (var (name, value) in NamedWeights(layers))
            if (snapshot.TryGetValue(name, out var saved)) value.copy_(saved);
    }
}
