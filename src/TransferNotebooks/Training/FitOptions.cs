using TransferNotebooks.Data;
using TransferNotebooks.Training.Callbacks;
using static TorchSharp.torch;

namespace TransferNotebooks.Training;

/// <summary>
/// Everything <see cref="Trainer.Fit"/> takes besides the model and data (Keras's <c>fit</c> arguments): the one definition
/// shared by <c>Sequential.Fit</c> and <c>FineTune</c>, whose named parameters map here through <see cref="From"/>.
/// </summary>
public sealed record FitOptions
{
    /// <summary>The epoch to stop before (Keras's <c>epochs</c>). In <c>FineTune</c>: the epochs of whole-model training.</summary>
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
    /// <summary>
    /// Stops after the current batch when cancelled; the model stays usable. <c>Fit</c> and <c>FineTune</c> observe the host's
    /// stop button (<see cref="Hosting.Interruption.Token"/>) when this token cannot be cancelled (the default).
    /// </summary>
    public CancellationToken CancellationToken { get; init; }

    /// <summary>
    /// The options for Keras's named <c>fit</c> arguments, with Keras's defaults: the one mapping from the named parameters of
    /// <c>Sequential.Fit</c> and <c>FineTune</c> to options (C#: <c>FitOptions.From(epochs: 3, batchSize: 64)</c>; F#:
    /// <c>FitOptions.From(epochs = 3, batchSize = 64)</c>).
    /// </summary>
    /// <param name="epochs">Epoch to stop before.</param>
    /// <param name="batchSize">Samples per step.</param>
    /// <param name="validationSplit">Fraction taken from the end (before shuffling) for validation.</param>
    /// <param name="validationData">Separate validation data (overrides the split).</param>
    /// <param name="shuffle">Shuffle each epoch.</param>
    /// <param name="seed">Seed for shuffling and dropout: same seed, same result.</param>
    /// <param name="initialEpoch">Epoch to start at (to resume).</param>
    /// <param name="classWeight">Class index to loss weight.</param>
    /// <param name="callbacks">Callbacks (EarlyStopping, ModelCheckpoint, ...).</param>
    /// <param name="verbose">0 silent, 1 progress bar, 2 one line per epoch.</param>
    /// <param name="cancellationToken">Stops after the current batch; none given: the host's stop button.</param>
    public static FitOptions From(int epochs = 1, int batchSize = 32, double validationSplit = 0, Dataset? validationData = null,
        bool shuffle = true, int? seed = null, int initialEpoch = 0, IReadOnlyDictionary<int, double>? classWeight = null,
        IEnumerable<Callback>? callbacks = null, int verbose = 1, CancellationToken cancellationToken = default) => new FitOptions
    {
        Epochs = epochs, BatchSize = batchSize, ValidationSplit = validationSplit,
        ValidationData = validationData is null ? null : (validationData.X, validationData.Y),
        Shuffle = shuffle, Seed = seed, InitialEpoch = initialEpoch, ClassWeight = classWeight,
        Callbacks = (callbacks ?? []).ToList(), Verbose = verbose, CancellationToken = cancellationToken,
    }.ObservingInterruption();

    /// <summary>
    /// The token-selection rule of Fit and FineTune, in one place: the token given when it can be cancelled, else the host's
    /// stop button (<see cref="Hosting.Interruption.Token"/>).
    /// </summary>
    internal FitOptions ObservingInterruption() =>
        CancellationToken.CanBeCanceled ? this : this with { CancellationToken = Hosting.Interruption.Token };
}
