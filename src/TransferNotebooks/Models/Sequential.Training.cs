using TransferNotebooks.Layers;
using TransferNotebooks.Losses;
using TransferNotebooks.Optimizers;
using TransferNotebooks.Training;
using static TorchSharp.torch;

namespace TransferNotebooks.Models;

// What the training loop asks of a model (ITrainableModel): input preparation and validation, the forward pass with mask routing and
// loss fusion, the trainable parameters, and weight snapshots. The Keras surface (Fit, Evaluate, Predict, ...) is in Sequential.cs.
public sealed partial class Sequential
{
    /// <summary>Runs the model on a batch in Keras layout (images channels last); returns its outputs. Use inside your own loop (GradientTape pattern).</summary>
    public Tensor Call(Tensor x, bool training = false)
    {
        using var scope = NewDisposeScope();
        if (layers.Count > 0) layers[0].CheckInput(x);
        var prepared = PrepareInput(x);
        return Forward(prepared, training, forLoss: false).Output.MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public ModelOutput Forward(Tensor x, bool training, bool forLoss)
    {
        if (!Built) throw new InvalidOperationException("The model is not built: give the first layer an inputShape, call Build(shape), or pass data to Fit/Predict first.");
        var h = x;
        Tensor? mask = null; // Keras's padding mask, from a layer that makes one (Embedding(maskZero: true)) while layers keep the steps
        for (int i = 0; i < layers.Count - 1; i++)
        {
            var layer = layers[i];
            var next = layer.Call(h, training && Trains(layer), mask);
            mask = layer.ComputeMask(h, mask);
            h = next;
        }
        var last = layers[^1];
        bool lastTrains = training && Trains(last);
        if (forLoss && loss is not null)
        {
            if (loss.FromLogits)
            {
                var fused = loss.FusedActivation is "softmax" ? (Func<Tensor, Tensor>)(t => t.softmax(-1)) : loss.FusedActivation is "sigmoid" ? t => t.sigmoid() : null;
                return new ModelOutput(last.Call(h, lastTrains, mask), OutputForm.Logits, fused);
            }
            if (loss.FusedActivation is { } act && last.OutputActivation is { } activation && activation.Name == act)
                return new ModelOutput(last.CallWithoutActivation(h, lastTrains), OutputForm.Logits, activation.Apply);
        }
        return new ModelOutput(last.Call(h, lastTrains, mask), OutputForm.Probabilities, null);
    }

    /// <summary>Whether a layer runs in training mode and updates: trainable, or a normalization layer the freezing policy keeps training.</summary>
    bool Trains(Layer l) => l.Trainable || l.UpdatesWhenFrozen(FrozenBatchNorm == FrozenBatchNorm.KeepTraining);

    /// <inheritdoc />
    public Tensor PrepareInput(Tensor x)
    {
        if (layers.Count == 0) throw new InvalidOperationException("The model has no layers. Add layers before training or predicting.");
        if (x.dim() < 1 || x.shape[0] == 0) throw new ArgumentException("No samples: the input is empty.");
        var given = x.shape.Skip(1).Select(d => (int)d).ToArray();
        var expected = InputShape;
        var first = layers[0];
        if (expected is null)
        {
            if (first.InputHint(given) is { } problem) throw new ArgumentException(problem);
            Build(given);
            expected = InputShape!;
        }
        Tensor t = x;
        if (expected.Length == 3 && given.Length == 2 && expected[2] == 1 && given[0] == expected[0] && given[1] == expected[1])
            t = x.unsqueeze(-1); // grayscale images [N, H, W] for an (H, W, 1) input
        var now = t.shape.Skip(1).Select(d => (int)d).ToArray();
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

    /// <inheritdoc />
    public void Validate(Tensor x, Tensor? y)
    {
        if (x.dim() < 1 || x.shape[0] == 0) throw new ArgumentException("No samples: the input is empty.");
        if (x.is_floating_point() && !AllFinite(x))
        {
            using var nan = x.isnan().any();
            if (nan.item<bool>())
                throw new ArgumentException("The input contains NaN values. Clean or impute them first (for example x.nan_to_num()).");
        }
        if (layers.Count > 0) layers[0].CheckInput(x);
        if (y is null) return;
        if (y.shape[0] != x.shape[0])
            throw new ArgumentException($"Inputs and labels differ in length: {x.shape[0]} samples but {y.shape[0]} labels.");
        if (loss is null) throw NotCompiled();
        if (!Built) PrepareInput(x.narrow(0, 0, 1)).Dispose();
        loss.ValidateTargets(y, x.shape[0], OutputShape, layers[^1].Name);
    }

    /// <summary>
    /// True when the sum of all values is finite, which proves there is no NaN: one read-only pass, without the
    /// data-sized boolean tensor of <c>isnan()</c> (that check took a third of a Fit epoch on IMDB multi-hot data).
    /// </summary>
    static bool AllFinite(Tensor x)
    {
        using var sum = x.sum();
        using var wide = sum.to_type(ScalarType.Float64);
        return double.IsFinite(wide.item<double>());
    }

    /// <inheritdoc />
    public IReadOnlyList<ParameterGroup> TrainableParameterGroups() =>
        layers.Where(Trains).SelectMany(l => l.parameters().Where(p => p.requires_grad).Select(p => new ParameterGroup(p, l.LearningRateMultiplier))).ToList();

    /// <summary>The trainable weight tensors, for a hand-written loop (forward, loss, backward, Optimizer.Step).</summary>
    public IReadOnlyList<Tensor> TrainableParameters => TrainableParameterGroups().Select(g => g.Parameter).ToList();

    /// <inheritdoc />
    public void ZeroGrad()
    {
        foreach (var l in layers) l.zero_grad();
    }

    /// <inheritdoc />
    public bool StopTraining { get; set; }

    /// <inheritdoc />
    public IReadOnlyDictionary<string, Tensor> SnapshotWeights()
    {
        var snapshot = new Dictionary<string, Tensor>();
        using var noGrad = no_grad();
        foreach (var l in layers)
            foreach (var (name, value, _) in l.Weights)
                snapshot[$"{l.Name}/{name}"] = value.detach().clone().DetachFromDisposeScope();
        return snapshot;
    }

    /// <inheritdoc />
    public void RestoreWeights(IReadOnlyDictionary<string, Tensor> snapshot)
    {
        using var noGrad = no_grad();
        foreach (var l in layers)
            foreach (var (name, value, _) in l.Weights)
                if (snapshot.TryGetValue($"{l.Name}/{name}", out var saved)) value.copy_(saved);
    }

    /// <summary>Every weight by qualified name <c>layer/weight</c> (the tensors themselves, not copies).</summary>
    public IReadOnlyDictionary<string, Tensor> NamedWeights() =>
        layers.SelectMany(l => l.Weights.Select(w => (Key: $"{l.Name}/{w.Name}", w.Value))).ToDictionary(p => p.Key, p => p.Value);

}
