using TransferNotebooks.Data;
using TransferNotebooks.Models;
using TransferNotebooks.Training.Callbacks;

namespace TransferNotebooks.Transfer;

/// <summary>
/// fastai's <c>fine_tune</c> for Sequential models: train the head with the base frozen, then unfreeze and train everything with
/// discriminative learning rates (smaller for earlier layers). Uses the model's compiled optimizer and the one training loop,
/// so callbacks behave exactly as in Fit.
/// </summary>
public static class FineTuning
{
    /// <summary>
    /// Fine-tunes <paramref name="model"/> on <paramref name="data"/>: <paramref name="freezeEpochs"/> epochs of the head only
    /// (every layer but the last frozen) at <paramref name="baseLearningRate"/>, then <paramref name="epochs"/> epochs of the whole
    /// model at half that rate, with layer-wise multipliers rising geometrically from <paramref name="lowestMultiplier"/> (first
    /// layer) to 1 (head). Layers frozen before the call stay as they are after it; multipliers are reset to 1 at the end.
    /// </summary>
    /// <param name="model">A compiled model (typically a loaded pretrained one with a new head).</param>
    /// <param name="data">Training data.</param>
    /// <param name="epochs">Epochs of whole-model training.</param>
    /// <param name="freezeEpochs">Epochs of head-only training first.</param>
    /// <param name="baseLearningRate">Learning rate of the head phase; the full phase uses half of it at the head.</param>
    /// <param name="lowestMultiplier">Learning-rate factor of the first layer in the full phase (fastai's slice: 1/100).</param>
    /// <param name="headLayers">How many layers at the end count as the head (1 = the last layer).</param>
    /// <param name="batchSize">Samples per step.</param>
    /// <param name="validationData">Validation data (optional).</param>
    /// <param name="seed">Seed for shuffling and dropout.</param>
    /// <param name="callbacks">Callbacks for both phases.</param>
    /// <param name="verbose">As in Fit.</param>
    public static FineTuneResult FineTune(this Sequential model, Dataset data, int epochs, int freezeEpochs = 1, double baseLearningRate = 0.002,
        double lowestMultiplier = 0.01, int headLayers = 1, int batchSize = 32, Dataset? validationData = null, int? seed = null,
        IEnumerable<Callback>? callbacks = null, int verbose = 1)
    {
        if (epochs < 0 || freezeEpochs < 0) throw new ArgumentOutOfRangeException(nameof(epochs), "epochs and freezeEpochs must not be negative.");
        if (headLayers < 1 || headLayers >= model.Layers.Count) throw new ArgumentOutOfRangeException(nameof(headLayers), headLayers, $"headLayers must be between 1 and {model.Layers.Count - 1}.");
        var optimizer = model.Optimizer; // throws the clear "compile first" error
        var cbs = (callbacks ?? []).ToList();
        var wasTrainable = model.Layers.Select(l => l.Trainable).ToArray();
        double originalLr = optimizer.LearningRate;
        var empty = new Training.History();
        try
        {
            var head = empty;
            if (freezeEpochs > 0)
            {
                model.Freeze(upTo: -headLayers);
                optimizer.LearningRate = baseLearningRate;
                head = model.Fit(data, epochs: freezeEpochs, batchSize: batchSize, validationData: validationData, seed: seed, callbacks: cbs, verbose: verbose);
                if (model.StopTraining) return new FineTuneResult(head, empty);
            }
            var full = empty;
            if (epochs > 0)
            {
                model.Unfreeze();
                SetDiscriminativeMultipliers(model, lowestMultiplier);
                optimizer.LearningRate = baseLearningRate / 2;
                full = model.Fit(data, epochs: freezeEpochs + epochs, initialEpoch: freezeEpochs, batchSize: batchSize, validationData: validationData,
                    seed: seed is int s ? s + 1 : null, callbacks: cbs, verbose: verbose);
            }
            return new FineTuneResult(head, full);
        }
        finally
        {
            foreach (var l in model.Layers) l.LearningRateMultiplier = 1.0;
            for (int i = 0; i < wasTrainable.Length && i < model.Layers.Count; i++)
                if (!wasTrainable[i]) model.Freeze([model.Layers[i].Name!]);
            optimizer.LearningRate = originalLr;
        }
    }

    /// <summary>Sets each layer's learning-rate multiplier on a geometric scale from <paramref name="lowest"/> (first layer) to 1 (last).</summary>
    public static void SetDiscriminativeMultipliers(Sequential model, double lowest)
    {
        if (lowest is <= 0 or > 1) throw new ArgumentOutOfRangeException(nameof(lowest), lowest, "The lowest multiplier must be in (0, 1], for example 0.01.");
        int n = model.Layers.Count;
        for (int i = 0; i < n; i++)
            model.Layers[i].LearningRateMultiplier = n == 1 ? 1 : Math.Pow(lowest, (double)(n - 1 - i) / (n - 1));
    }
}
