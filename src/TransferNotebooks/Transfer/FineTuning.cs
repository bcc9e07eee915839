using TransferNotebooks.Data;
using TransferNotebooks.Models;
using TransferNotebooks.Training;
using TransferNotebooks.Training.Callbacks;

namespace TransferNotebooks.Transfer;

/// <summary>
/// fastai's <c>fine_tune</c> for Sequential and functional models: train the head with the base frozen, then unfreeze and train everything with
/// discriminative learning rates (smaller for earlier layers). Uses the model's compiled optimizer and the one training loop,
/// so callbacks behave exactly as in Fit.
/// </summary>
public static class FineTuning
{
    /// <summary>
    /// Fine-tunes <paramref name="model"/> on <paramref name="x"/>: <paramref name="freezeEpochs"/> epochs of the head only
    /// (every layer but the last frozen) at <paramref name="baseLearningRate"/>, then <paramref name="epochs"/> epochs of the whole
    /// model at half that rate, with layer-wise multipliers rising geometrically from <paramref name="lowestMultiplier"/> (first
    /// layer) to 1 (head). Layers frozen before the call stay as they are after it; multipliers are reset to 1 at the end.
    /// Takes every argument of <c>Fit</c>, with the same names and defaults (mapped by <see cref="FitOptions.From"/>).
    /// </summary>
    /// <param name="model">A compiled model (typically a loaded pretrained one with a new head).</param>
    /// <param name="x">Training data, as in <c>Fit</c>: a <see cref="Dataset"/>, input tensors with <paramref name="y"/>, or .NET rows with labels.</param>
    /// <param name="y">Targets for tensor or array inputs.</param>
    /// <param name="epochs">Epochs of whole-model training.</param>
    /// <param name="freezeEpochs">Epochs of head-only training first.</param>
    /// <param name="baseLearningRate">Learning rate of the head phase; the full phase uses half of it at the head.</param>
    /// <param name="lowestMultiplier">Learning-rate factor of the first layer in the full phase (fastai's slice: 1/100).</param>
    /// <param name="headLayers">How many layers at the end count as the head (1 = the last layer).</param>
    /// <param name="batchSize">Samples per step.</param>
    /// <param name="validationSplit">Fraction taken from the end (before shuffling) for validation, split once: both phases validate on the same rows.</param>
    /// <param name="validationData">Validation data (overrides the split).</param>
    /// <param name="shuffle">Shuffle each epoch.</param>
    /// <param name="seed">Seed for shuffling and dropout (the full phase uses seed + 1).</param>
    /// <param name="initialEpoch">Epoch to start at, counting the head epochs first (to resume).</param>
    /// <param name="classWeight">Class index to loss weight.</param>
    /// <param name="callbacks">Callbacks for both phases.</param>
    /// <param name="verbose">As in Fit.</param>
    /// <param name="cancellationToken">Stops after the current batch and skips the rest; none given: the host's stop button (as Fit).</param>
    public static FineTuneResult FineTune(this KerasModel model, FitInputs x, FitTargets y = default, int epochs = 1, int freezeEpochs = 1,
        double baseLearningRate = 0.002, double lowestMultiplier = 0.01, int headLayers = 1, int batchSize = 32, double validationSplit = 0,
        Dataset? validationData = null, bool shuffle = true, int? seed = null, int initialEpoch = 0,
        IReadOnlyDictionary<int, double>? classWeight = null, IEnumerable<Callback>? callbacks = null, int verbose = 1,
        CancellationToken cancellationToken = default) =>
        model.FineTune(x, y, FitOptions.From(epochs, batchSize, validationSplit, validationData, shuffle, seed, initialEpoch, classWeight, callbacks, verbose, cancellationToken),
            freezeEpochs, baseLearningRate, lowestMultiplier, headLayers);

    /// <summary>Fine-tunes on a <see cref="Dataset"/> with the <c>fit</c> arguments as one <see cref="FitOptions"/> value (see the overload with <c>y</c>).</summary>
    /// <param name="model">A compiled model.</param>
    /// <param name="x">Training data that carries its targets (a <see cref="Dataset"/>).</param>
    /// <param name="fit">The <c>fit</c> arguments for both phases.</param>
    /// <param name="freezeEpochs">Epochs of head-only training first.</param>
    /// <param name="baseLearningRate">Learning rate of the head phase; the full phase uses half of it at the head.</param>
    /// <param name="lowestMultiplier">Learning-rate factor of the first layer in the full phase.</param>
    /// <param name="headLayers">How many layers at the end count as the head.</param>
    public static FineTuneResult FineTune(this KerasModel model, FitInputs x, FitOptions fit, int freezeEpochs = 1,
        double baseLearningRate = 0.002, double lowestMultiplier = 0.01, int headLayers = 1) =>
        model.FineTune(x, default, fit, freezeEpochs, baseLearningRate, lowestMultiplier, headLayers);

    /// <summary>
    /// <see cref="FineTune(KerasModel, FitInputs, FitTargets, int, int, double, double, int, int, double, Dataset?, bool, int?, int, IReadOnlyDictionary{int, double}?, IEnumerable{Callback}?, int, CancellationToken)"/>
    /// with the <c>fit</c> arguments as one <see cref="FitOptions"/> value, the same one <c>Sequential.Fit</c> takes.
    /// <see cref="FitOptions.Epochs"/> counts the whole-model epochs and <see cref="FitOptions.InitialEpoch"/> counts the head
    /// epochs first.
    /// </summary>
    /// <param name="model">A compiled model.</param>
    /// <param name="x">Training data, as in <c>Fit</c>.</param>
    /// <param name="y">Targets for tensor or array inputs; <c>default</c> for a <see cref="Dataset"/>.</param>
    /// <param name="fit">The <c>fit</c> arguments for both phases.</param>
    /// <param name="freezeEpochs">Epochs of head-only training first.</param>
    /// <param name="baseLearningRate">Learning rate of the head phase; the full phase uses half of it at the head.</param>
    /// <param name="lowestMultiplier">Learning-rate factor of the first layer in the full phase.</param>
    /// <param name="headLayers">How many layers at the end count as the head.</param>
    public static FineTuneResult FineTune(this KerasModel model, FitInputs x, FitTargets y, FitOptions fit, int freezeEpochs = 1,
        double baseLearningRate = 0.002, double lowestMultiplier = 0.01, int headLayers = 1)
    {
        ArgumentNullException.ThrowIfNull(fit);
        int epochs = fit.Epochs;
        if (epochs < 0 || freezeEpochs < 0) throw new ArgumentOutOfRangeException(nameof(fit), "epochs and freezeEpochs must not be negative.");
        if (fit.InitialEpoch < 0 || (fit.InitialEpoch > 0 && fit.InitialEpoch >= freezeEpochs + epochs))
            throw new ArgumentOutOfRangeException(nameof(fit), fit.InitialEpoch, $"initialEpoch must be in [0, {freezeEpochs + epochs}) (freezeEpochs + epochs).");
        if (headLayers < 1 || headLayers >= model.Layers.Count) throw new ArgumentOutOfRangeException(nameof(headLayers), headLayers, $"headLayers must be between 1 and {model.Layers.Count - 1}.");
        var optimizer = model.Optimizer; // throws the clear "compile first" error
        fit = fit.ObservingInterruption(); // one token for both phases
        var (inputs, targets) = x.Resolve(y, out var owned);
        using var madeHere = owned;
        // Split once, so both phases validate on the same rows (and never train on them).
        var (trainX, trainY, validation) = Trainer.SplitValidation(inputs, targets, fit);
        var phase = fit with { ValidationSplit = 0, ValidationData = validation };
        var wasTrainable = model.Layers.Select(l => l.Trainable).ToArray();
        double originalLr = optimizer.LearningRate;
        var empty = new History();
        try
        {
            var head = empty;
            if (freezeEpochs > 0 && fit.InitialEpoch < freezeEpochs)
            {
                model.Freeze(upTo: -headLayers);
                optimizer.LearningRate = baseLearningRate;
                head = model.Fit(trainX, trainY, phase with { Epochs = freezeEpochs, InitialEpoch = fit.InitialEpoch });
                if (model.StopTraining || fit.CancellationToken.IsCancellationRequested) return new FineTuneResult(head, empty);
            }
            var full = empty;
            if (epochs > 0)
            {
                model.Unfreeze();
                SetDiscriminativeMultipliers(model, lowestMultiplier);
                optimizer.LearningRate = baseLearningRate / 2;
                full = model.Fit(trainX, trainY, phase with
                {
                    Epochs = freezeEpochs + epochs, InitialEpoch = Math.Max(freezeEpochs, fit.InitialEpoch),
                    Seed = fit.Seed is int s ? s + 1 : null,
                });
            }
            return new FineTuneResult(head, full);
        }
        finally
        {
            foreach (var l in model.Layers) l.LearningRateMultiplier = 1.0;
            // As before the call, also when a stop (cancellation, EarlyStopping) ended the head phase with the base frozen.
            for (int i = 0; i < wasTrainable.Length && i < model.Layers.Count; i++)
                if (wasTrainable[i]) model.Unfreeze(from: i, upTo: i + 1); else model.Freeze([model.Layers[i].Name!]);
            optimizer.LearningRate = originalLr;
            if (!ReferenceEquals(trainX, inputs)) { trainX.Dispose(); trainY.Dispose(); }
            if (fit.ValidationData is null && validation is { } v) { v.X.Dispose(); v.Y.Dispose(); }
        }
    }

    /// <summary>Sets each layer's learning-rate multiplier on a geometric scale from <paramref name="lowest"/> (first layer) to 1 (last).</summary>
    public static void SetDiscriminativeMultipliers(KerasModel model, double lowest)
    {
        if (lowest is <= 0 or > 1) throw new ArgumentOutOfRangeException(nameof(lowest), lowest, "The lowest multiplier must be in (0, 1], for example 0.01.");
        int n = model.Layers.Count;
        for (int i = 0; i < n; i++)
            model.Layers[i].LearningRateMultiplier = n == 1 ? 1 : Math.Pow(lowest, (double)(n - 1 - i) / (n - 1));
    }
}
