using TransferNotebooks.Training.Callbacks;
using static TorchSharp.torch;

namespace TransferNotebooks.Training;

/// <summary>Everything <see cref="Trainer.Fit"/> takes besides the model and data (Keras's <c>fit</c> arguments).</summary>
public sealed record FitOptions
{
    /// <summary>The epoch to stop before (Keras's <c>epochs</c>).</summary>
    public int Epochs { get; init; } = 1;
    /// <summary>Samples per gradient step.</summary>
    public int BatchSize { get; init; } = 32;
    /// <summary>Fraction of the data, taken from the end before shuffling (as Keras), used for validation.</summary>
    public double ValidationSplit { get; init; }
    /// <summary>Separate validation data (features, labels); overrides <see cref="ValidationSplit"/>.</summary>
    public (Tensor X, Tensor Y)? ValidationData { get; init; }
    /// <summary>Shuffle the training data at each epoch.</summary>
    public bool Shuffle { get; init; } = true;
    /// <summary>Seed for shuffling and dropout; same seed, same result.</summary>
    public int? Seed { get; init; }
    /// <summary>The epoch to start at (to resume).</summary>
    public int InitialEpoch { get; init; }
    /// <summary>Class index to loss weight (for imbalanced data).</summary>
    public IReadOnlyDictionary<int, double>? ClassWeight { get; init; }
    /// <summary>Callbacks, in order.</summary>
    public IReadOnlyList<Callback> Callbacks { get; init; } = [];
    /// <summary>0 = silent, 1 = progress bar, 2 = one line per epoch (Keras's verbose).</summary>
    public int Verbose { get; init; } = 1;
    /// <summary>Stops after the current batch when cancelled; the model stays usable.</summary>
    public CancellationToken CancellationToken { get; init; }
}
