using TransferNotebooks.Data;
using TransferNotebooks.Layers;
using TransferNotebooks.Losses;
using TransferNotebooks.Metrics;
using TransferNotebooks.Optimizers;
using TransferNotebooks.Training;
using TransferNotebooks.Training.Callbacks;
using static TorchSharp.torch;

namespace TransferNotebooks.Models;

/// <summary>
/// What every model shares (Keras's <c>Model</c>): Compile, Fit, Evaluate, Predict and the weight bookkeeping the training loop
/// asks for, written once for <see cref="Sequential"/> and <see cref="Functional"/>. <typeparamref name="TSelf"/> is the model
/// type, so <c>Compile</c> returns it for chaining.
/// </summary>
public abstract partial class KerasModel<TSelf> where TSelf : KerasModel<TSelf>, ITrainableModel
{
    private protected readonly CompileSettings compiled = new();

    private protected KerasModel() { }

    /// <summary>The model's own layers, in order (a nested model counts as one layer).</summary>
    private protected abstract IReadOnlyList<Layer> OwnLayers { get; }

    /// <summary>Runs before each Fit (Sequential remembers frozen weights there, for Summary's drift column).</summary>
    private protected virtual void BeforeFit() { }

    // ---------------------------------------------------------------- compile

    /// <summary>
    /// Chooses the optimizer, loss and metrics, by Keras name or object:
    /// <c>Compile(optimizer: "adam", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"])</c>.
    /// Freezing or unfreezing layers later needs no recompile: the optimizer follows the trainable flags at every step.
    /// </summary>
    /// <exception cref="ArgumentException">Unknown name (the message lists valid names and the nearest).</exception>
    public TSelf Compile(Optimizer optimizer, Loss loss, IEnumerable<string>? metrics = null)
    {
        compiled.Set(optimizer, loss, metrics);
        return (TSelf)this;
    }

    /// <summary>Compile with metric objects (for example <c>new Precision(threshold: 0.3)</c>).</summary>
    public TSelf Compile(Optimizer optimizer, Loss loss, IEnumerable<Metric> metrics)
    {
        compiled.Set(optimizer, loss, metrics);
        return (TSelf)this;
    }

    /// <summary>True after Compile.</summary>
    public bool IsCompiled => compiled.IsCompiled;

    /// <summary>The compiled optimizer (usable directly in a hand-written loop).</summary>
    /// <exception cref="InvalidOperationException">Not compiled yet.</exception>
    public Optimizer Optimizer => compiled.RequireOptimizer();

    /// <summary>The compiled loss (usable directly in a hand-written loop).</summary>
    /// <exception cref="InvalidOperationException">Not compiled yet.</exception>
    public Loss Loss => compiled.RequireLoss();

    /// <summary>The metric names given to Compile.</summary>
    public IReadOnlyList<string> MetricNames => compiled.MetricNames;

    /// <summary>Fresh metric objects for one pass (the training loop's).</summary>
    public IReadOnlyList<Metric> CreateMetrics() => compiled.CreateMetrics();

    // ---------------------------------------------------------------- fit / evaluate / predict

    /// <summary>Trains the model (Keras's <c>fit</c>).</summary>
    /// <param name="x">What to train on: a <see cref="Dataset"/> (then no <paramref name="y"/>), input tensors in Keras layout
    /// (images [N, H, W] or [N, H, W, C]) with <paramref name="y"/>, or .NET feature rows (<c>float[,]</c>) with integer labels.</param>
    /// <param name="y">Targets for tensor or array inputs: class indices for sparse losses, one-hot rows for categorical, 0/1 for
    /// binary, values for regression.</param>
    /// <param name="epochs">Epoch to stop before.</param>
    /// <param name="batchSize">Samples per step.</param>
    /// <param name="validationSplit">Fraction taken from the end (before shuffling) for validation.</param>
    /// <param name="validationData">Separate validation data (overrides the split).</param>
    /// <param name="shuffle">Shuffle each epoch.</param>
    /// <param name="seed">Seed for shuffling and dropout: same seed, same result.</param>
    /// <param name="initialEpoch">Epoch to start at (to resume).</param>
    /// <param name="classWeight">Class index to loss weight.</param>
    /// <param name="callbacks">Callbacks (EarlyStopping, ModelCheckpoint, ...); from F# a list of one callback type passes as is.</param>
    /// <param name="verbose">0 silent, 1 progress bar, 2 one line per epoch.</param>
    /// <param name="cancellationToken">Stops after the current batch; the model stays usable.</param>
    public History Fit(FitInputs x, FitTargets y = default, int epochs = 1, int batchSize = 32, double validationSplit = 0,
        Dataset? validationData = null, bool shuffle = true, int? seed = null, int initialEpoch = 0,
        IReadOnlyDictionary<int, double>? classWeight = null, IEnumerable<Callback>? callbacks = null, int verbose = 1,
        CancellationToken cancellationToken = default) =>
        Fit(x, y, FitOptions.From(epochs, batchSize, validationSplit, validationData, shuffle, seed, initialEpoch, classWeight, callbacks, verbose, cancellationToken));

    /// <summary>Trains the model on a <see cref="Dataset"/> (or other inputs that carry their targets) with the <c>fit</c> arguments as one <see cref="FitOptions"/> value.</summary>
    /// <param name="x">What to train on.</param>
    /// <param name="options">Epochs, batch size, validation, callbacks, ... (<c>FitOptions.From(epochs: 3)</c>).</param>
    public History Fit(FitInputs x, FitOptions options) => Fit(x, default, options);

    /// <summary>Trains the model with the <c>fit</c> arguments as one <see cref="FitOptions"/> value (shared with <c>FineTune</c>).</summary>
    /// <param name="x">What to train on, as in the named-argument <c>Fit</c>.</param>
    /// <param name="y">Targets for tensor or array inputs; <c>default</c> for a <see cref="Dataset"/>.</param>
    /// <param name="options">Epochs, batch size, validation, callbacks, ...; the host's stop button is observed when its token cannot be cancelled.</param>
    public History Fit(FitInputs x, FitTargets y, FitOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var (inputs, targets) = x.Resolve(y, out var owned);
        using var madeHere = owned;
        _ = Loss; _ = Optimizer; // Fit before Compile: clear error
        BeforeFit();
        return Trainer.Fit((TSelf)this, inputs, targets, options.ObservingInterruption());
    }

    /// <summary>Loss and metrics on test data, by name (Keras's <c>evaluate</c>).</summary>
    public EvaluationResult Evaluate(Tensor x, Tensor y, int batchSize = 32) => Trainer.Evaluate((TSelf)this, x, y, batchSize);

    /// <summary>Loss and metrics on a <see cref="Dataset"/>.</summary>
    public EvaluationResult Evaluate(Dataset data, int batchSize = 32) => Evaluate(data.X, data.Y, batchSize);

    /// <summary>The model's outputs (class probabilities for classifiers), batched, in inference mode (Keras's <c>predict</c>).</summary>
    public Tensor Predict(Tensor x, int batchSize = 32) => Trainer.Predict((TSelf)this, x, batchSize);

    /// <summary>Outputs for a <see cref="Dataset"/>'s features.</summary>
    public Tensor Predict(Dataset data, int batchSize = 32) => Predict(data.X, batchSize);

    /// <summary>The most likely class of each sample (arg-max of <see cref="Predict(Tensor, int)"/>; threshold 0.5 for a single sigmoid output).</summary>
    public long[] PredictClasses(Tensor x, int batchSize = 32)
    {
        using var p = Predict(x, batchSize);
        using var classes = p.shape[^1] == 1 ? p.reshape(-1).gt(0.5).to_type(ScalarType.Int64) : p.argmax(-1);
        return classes.data<long>().ToArray();
    }

    // ---------------------------------------------------------------- weights, for the loop and for users

    /// <summary>The trainable weight tensors, for a hand-written loop (forward, loss, backward, Optimizer.Step).</summary>
    public IReadOnlyList<Tensor> TrainableParameters => ((TSelf)this).TrainableParameterGroups().Select(g => g.Parameter).ToList();

    /// <summary>Clears every layer's gradients.</summary>
    public void ZeroGrad()
    {
        foreach (var l in OwnLayers) l.zero_grad();
    }

    /// <summary>Set by a callback (EarlyStopping, TerminateOnNaN) to end Fit after the current epoch or batch.</summary>
    public bool StopTraining { get; set; }

    /// <summary>Copies of every weight by qualified name (for restoring the best epoch).</summary>
    public IReadOnlyDictionary<string, Tensor> SnapshotWeights() => ModelCore.Snapshot(OwnLayers);

    /// <summary>Copies weights back from a <see cref="SnapshotWeights"/> result.</summary>
    public void RestoreWeights(IReadOnlyDictionary<string, Tensor> snapshot) => ModelCore.Restore(OwnLayers, snapshot);

    /// <summary>Every weight by qualified name <c>layer/weight</c> (a nested model's as <c>model/layer.weight</c>; the tensors themselves, not copies).</summary>
    public IReadOnlyDictionary<string, Tensor> NamedWeights() => ModelCore.NamedWeights(OwnLayers);
}
