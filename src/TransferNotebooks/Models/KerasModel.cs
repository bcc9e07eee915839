using System.Runtime.CompilerServices;
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
/// What every model is and does (Keras's <c>Model</c>): the common type of <see cref="Sequential"/> and <see cref="Functional"/>,
/// and what <see cref="Model.Load"/> returns. Compile, Fit, Evaluate, Predict, Summary, freezing, head replacement, saving and
/// the weight bookkeeping the training loop asks for are written here once.
/// </summary>
public abstract partial class KerasModel : ITrainableModel, IDisposable
{
    private protected readonly CompileSettings compiled = new();

    private protected KerasModel() { }

    // ---------------------------------------------------------------- what each kind of model says about itself

    /// <summary>The model's name.</summary>
    public abstract string Name { get; set; }

    /// <summary>The layers, in the order they run (a nested model counts as one layer; a layer called twice appears once), by index or name.</summary>
    public abstract LayerList Layers { get; }

    /// <summary>The per-sample input shape (Keras convention: channels last, no batch dimension); null before a Sequential is built.</summary>
    public abstract int[]? InputShape { get; }

    /// <summary>The per-sample output shape; null before a Sequential is built.</summary>
    public abstract int[]? OutputShape { get; }

    /// <summary>What BatchNormalization layers do when frozen (see <see cref="Models.FrozenBatchNorm"/>): inference mode by default, as Keras.</summary>
    public FrozenBatchNorm FrozenBatchNorm { get; set; } = FrozenBatchNorm.Inference;

    /// <summary>Keras's <c>summary()</c>: one row per layer with output shape, parameters and trainable flag (and, for graphs, what it is connected to).</summary>
    public abstract ModelSummary Summary();

    /// <inheritdoc />
    public override string ToString() => Summary().ToString();

    /// <summary>Runs the model on a batch in Keras layout (images channels last); returns its outputs (a differentiable tensor).</summary>
    public abstract Tensor Call(Tensor x, bool training = false);

    /// <summary>Calls the model on a symbolic tensor inside a functional model (Keras's <c>base_model(inputs)</c>); its weights are shared.</summary>
    public KerasTensor Call(KerasTensor input) => ((INestedModel)this).AsLayer().Call(input);

    /// <summary>
    /// Calls the model on a symbolic tensor with a fixed mode: <c>training: false</c> keeps it in inference mode inside training
    /// (BatchNormalization statistics untouched, dropout off), as Keras's transfer-learning guide prescribes.
    /// </summary>
    public KerasTensor Call(KerasTensor input, bool training) => ((INestedModel)this).AsLayer().Call(input, training);

    /// <summary>
    /// Saves the model in one file, atomically (a temporary file then a rename). The format follows the extension unless
    /// <paramref name="format"/> says: <c>model.Save("pretrained.tnmodel")</c> writes this library's file (architecture, weights,
    /// trainable flags, compile settings; load it back with <see cref="Model.Load"/>), <c>model.Save("m.keras")</c> a Keras 3 file
    /// that <c>keras.saving.load_model</c> reads (kernels in Keras's layouts; no optimizer state), <c>model.Save("m.onnx")</c> an
    /// ONNX graph for ONNX Runtime (see docs/interop.md).
    /// </summary>
    /// <param name="path">The file (<c>.tnmodel</c> by convention; <c>.keras</c> for Keras; <c>.onnx</c> for ONNX).</param>
    /// <param name="includeOptimizer">Also save the optimizer's state, to resume training exactly (this library's format only).</param>
    /// <param name="format"><see cref="ModelFormat.Auto"/> (by extension), or the format to write whatever the extension.</param>
    /// <exception cref="InvalidOperationException">The model is not built.</exception>
    /// <exception cref="NotSupportedException">A layer with no Keras or ONNX form (a custom layer; the message names it), or <paramref name="includeOptimizer"/> with Keras or ONNX.</exception>
    public void Save(string path, bool includeOptimizer = false, ModelFormat format = ModelFormat.Auto)
    {
        if (format == ModelFormat.Auto) format = Model.FormatOf(path);
        if (format == ModelFormat.Onnx) Interop.Onnx.OnnxExport.Save(this, path, includeOptimizer);
        else if (format == ModelFormat.Keras)
        {
            if (includeOptimizer)
                throw new NotSupportedException($"Keras files written here carry no optimizer state; save '{path}' without includeOptimizer, or as a {Model.Extension} file to resume training exactly.");
            SaveKerasFile(path);
        }
        else ModelFile.Save(this, path, includeOptimizer);
    }

    /// <summary>Same as <c>Save(path, format: ModelFormat.Keras)</c>: a Keras 3 <c>.keras</c> file, whatever the extension.</summary>
    public void SaveKeras(string path) => Save(path, format: ModelFormat.Keras);

    /// <summary>Writes the model as a Keras 3 <c>.keras</c> file (the writer of its kind: a layer stack or a graph).</summary>
    private protected abstract void SaveKerasFile(string path);

    /// <summary>The callbacks' save (ModelCheckpoint): by extension.</summary>
    void ITrainableModel.Save(string path) => Save(path);

    /// <summary>Saves only the weights, as a safetensors file named <c>layer/weight</c> (atomically).</summary>
    public void SaveWeights(string path) => Data.AtomicFile.Write(path, s => SafeTensors.Write(s, NamedWeights()));

    /// <summary>Loads weights saved by <see cref="SaveWeights"/> (or any safetensors file named <c>layer/weight</c>).</summary>
    /// <param name="path">The safetensors file.</param>
    /// <param name="strict">Require the file and the model to have exactly the same weights.</param>
    /// <param name="skipMismatch">Skip weights whose shapes differ (listed in the report) instead of failing.</param>
    public LoadWeightsReport LoadWeights(string path, bool strict = true, bool skipMismatch = false)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"No weights file at '{path}'.", path);
        Dictionary<string, Tensor> weights;
        using (var s = File.OpenRead(path)) weights = SafeTensors.Read(s, path);
        try { return WeightsIO.Assign(NamedWeights(), weights, strict, skipMismatch, path); }
        finally { foreach (var t in weights.Values) t.Dispose(); }
    }

    // ---------------------------------------------------------------- what the training loop asks (ITrainableModel)

    /// <inheritdoc />
    public abstract Tensor PrepareInput(Tensor x);

    /// <inheritdoc />
    public abstract void Validate(Tensor x, Tensor? y);

    /// <inheritdoc />
    public abstract ModelOutput Forward(Tensor x, bool training, bool forLoss);

    /// <summary>Layers train when trainable, kept training by the BatchNormalization policy, or (nested models) deciding for their own layers.</summary>
    private protected bool Trains(Layer l) => ModelCore.Trains(l, FrozenBatchNorm);

    /// <inheritdoc />
    public IReadOnlyList<ParameterGroup> TrainableParameterGroups()
    {
        var groups = new List<ParameterGroup>(); // loops, not LINQ: asked once per epoch (see Layer.TrainableParameterGroups)
        foreach (var l in OwnLayers)
            if (Trains(l)) groups.AddRange(l.TrainableParameterGroups());
        return groups;
    }

    // ---------------------------------------------------------------- freezing

    /// <summary>
    /// Freezes layers by index range: <c>Freeze()</c> freezes all, <c>Freeze(upTo: -1)</c> all but the last (the usual
    /// "freeze the base, train the head"), <c>Freeze(from: 2, upTo: 5)</c> layers 2..4. Negative indices count from the end.
    /// A nested model freezes as a whole. No recompile is needed.
    /// </summary>
    public KerasModel Freeze(int? upTo = null, int? from = null)
    {
        foreach (var l in Range(upTo, from)) SetTrainable(l, false);
        return this;
    }

    /// <summary>Freezes the named layers (F# lists and C# collection expressions pass straight in).</summary>
    public KerasModel Freeze(IEnumerable<string> names)
    {
        foreach (var n in names) SetTrainable(Layers[n], false);
        return this;
    }

    /// <summary>Unfreezes every layer (or the index range given), for fine-tuning the whole model.</summary>
    public KerasModel Unfreeze(int? upTo = null, int? from = null)
    {
        foreach (var l in Range(upTo, from)) SetTrainable(l, true);
        return this;
    }

    /// <summary>Unfreezes the named layers.</summary>
    public KerasModel Unfreeze(IEnumerable<string> names)
    {
        foreach (var n in names) SetTrainable(Layers[n], true);
        return this;
    }

    IEnumerable<Layer> Range(int? upTo, int? from)
    {
        var own = OwnLayers;
        int Index(int i)
        {
            int r = i < 0 ? own.Count + i : i;
            if (r < 0 || r > own.Count) throw new ArgumentOutOfRangeException(nameof(i), i, $"The model has {own.Count} layers.");
            return r;
        }
        int start = Index(from ?? 0), end = upTo is int u ? Index(u) : own.Count;
        return own.Skip(start).Take(Math.Max(0, end - start)).ToList();
    }

    /// <summary>Sets one layer's trainable flag (Sequential also remembers frozen weights there, for Summary's drift column).</summary>
    private protected virtual void SetTrainable(Layer layer, bool trainable) => layer.Trainable = trainable;

    // ---------------------------------------------------------------- transfer

    /// <summary>
    /// Replaces the output layer, which must be a Dense classifier, with a fresh Dense of <paramref name="units"/> units (same
    /// activation unless given) for a new class count, and returns the model. The removed layer is disposed.
    /// </summary>
    /// <exception cref="InvalidOperationException">The output layer is not Dense.</exception>
    public KerasModel ReplaceHead(int units, string? activation = null, string? name = null)
    {
        ReplaceHeadCore(units, activation, name);
        return this;
    }

    private protected abstract void ReplaceHeadCore(int units, string? activation, string? name);

    /// <summary>The model's own layers, in order (a nested model counts as one layer).</summary>
    private protected abstract IReadOnlyList<Layer> OwnLayers { get; }

    /// <summary>Frees the optimizer state and the weights of the model's own layers.</summary>
    public virtual void Dispose()
    {
        compiled.Optimizer?.Dispose();
        foreach (var l in OwnLayers) l.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Runs before each Fit (Sequential remembers frozen weights there, for Summary's drift column).</summary>
    private protected virtual void BeforeFit() { }

    // ---------------------------------------------------------------- compile

    /// <summary>
    /// Chooses the optimizer, loss and metrics, by Keras name or object:
    /// <c>Compile(optimizer: "adam", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"])</c>.
    /// Freezing or unfreezing layers later needs no recompile: the optimizer follows the trainable flags at every step.
    /// </summary>
    /// <exception cref="ArgumentException">Unknown name (the message lists valid names and the nearest).</exception>
    public KerasModel Compile(Optimizer optimizer, Loss loss, IEnumerable<string>? metrics = null)
    {
        compiled.Set(optimizer, loss, metrics);
        return this;
    }

    /// <summary>Compile with metric objects (for example <c>new Precision(threshold: 0.3)</c>).</summary>
    public KerasModel Compile(Optimizer optimizer, Loss loss, IEnumerable<Metric> metrics)
    {
        compiled.Set(optimizer, loss, metrics);
        return this;
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

    /// <summary>The loss the training loop computes (a model with several outputs applies the compiled loss to each).</summary>
    Loss ITrainableModel.Loss => TrainingLoss;

    /// <summary>The metrics the training loop updates (a model with several outputs has them per output).</summary>
    IReadOnlyList<Metric> ITrainableModel.CreateMetrics() => CreateTrainingMetrics();

    /// <summary>The loss of the training loop; the compiled loss unless the model has several outputs.</summary>
    private protected virtual Loss TrainingLoss => Loss;

    /// <summary>Fresh metrics for the training loop; the compiled ones unless the model has several outputs.</summary>
    private protected virtual IReadOnlyList<Metric> CreateTrainingMetrics() => CreateMetrics();

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
        return Trainer.Fit(this, inputs, targets, options.ObservingInterruption());
    }

    /// <summary>Loss and metrics on test data, by name (Keras's <c>evaluate</c>).</summary>
    public EvaluationResult Evaluate(Tensor x, Tensor y, int batchSize = 32) => Trainer.Evaluate(this, x, y, batchSize);

    /// <summary>Loss and metrics on a <see cref="Dataset"/>.</summary>
    public EvaluationResult Evaluate(Dataset data, int batchSize = 32) => Evaluate(data.X, data.Y, batchSize);

    /// <summary>The model's outputs (class probabilities for classifiers), batched, in inference mode (Keras's <c>predict</c>).</summary>
    public Tensor Predict(Tensor x, int batchSize = 32) => Trainer.Predict(this, x, batchSize);

    /// <summary>Outputs for a <see cref="Dataset"/>'s features.</summary>
    public Tensor Predict(Dataset data, int batchSize = 32) => Predict(data.X, batchSize);

    /// <summary>Loss and metrics of a model with several inputs: one tensor per input, in the model's input order.</summary>
    public EvaluationResult Evaluate(Tensor[] x, Tensor y, int batchSize = 32)
    {
        using var packed = Pack(x);
        return Evaluate(packed, y, batchSize);
    }

    /// <summary>Loss and metrics of a model with several outputs: one target tensor per output, in the model's output order.</summary>
    public EvaluationResult Evaluate(Tensor x, Tensor[] y, int batchSize = 32)
    {
        using var targets = Pack(y);
        return Evaluate(x, targets, batchSize);
    }

    /// <summary>Loss and metrics of a model with several inputs and outputs: one tensor per input, one target tensor per output.</summary>
    public EvaluationResult Evaluate(Tensor[] x, Tensor[] y, int batchSize = 32)
    {
        using var inputs = Pack(x);
        using var targets = Pack(y);
        return Evaluate(inputs, targets, batchSize);
    }

    /// <summary>Outputs of a model with several inputs: one tensor per input, in the model's input order.</summary>
    public Tensor Predict(Tensor[] x, int batchSize = 32)
    {
        using var packed = Pack(x);
        return Predict(packed, batchSize);
    }

    /// <summary>Several inputs as the one tensor of rows the loop batches (see <see cref="PackedInputs"/>); one input as itself.</summary>
    static Tensor Pack(Tensor[] x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return x.Length == 1 ? x[0].alias() : PackedInputs.Pack(x);
    }

    /// <summary>Loss and metrics on .NET arrays.</summary>
    public EvaluationResult Evaluate(float[,] x, int[] y, int batchSize = 32)
    {
        using var data = Dataset.From(x, y);
        return Evaluate(data, batchSize);
    }

    /// <summary>Outputs for .NET rows, as a .NET array [samples, outputs].</summary>
    public float[,] Predict(float[,] x, int batchSize = 32)
    {
        using var input = tensor(x);
        using var output = Predict(input, batchSize);
        var flat = output.reshape(output.shape[0], -1);
        var result = new float[flat.shape[0], flat.shape[1]];
        var data = flat.data<float>().ToArray();
        Buffer.BlockCopy(data, 0, result, 0, data.Length * sizeof(float));
        return result;
    }

    /// <summary>The most likely class of each sample (arg-max of <see cref="Predict(Tensor, int)"/>; threshold 0.5 for a single sigmoid output).</summary>
    public long[] PredictClasses(Tensor x, int batchSize = 32)
    {
        using var p = Predict(x, batchSize);
        using var classes = p.shape[^1] == 1 ? p.reshape(-1).gt(0.5).to_type(ScalarType.Int64) : p.argmax(-1);
        return classes.data<long>().ToArray();
    }

    // ---------------------------------------------------------------- weights, for the loop and for users

    /// <summary>The trainable weight tensors, for a hand-written loop (forward, loss, backward, Optimizer.Step).</summary>
    public IReadOnlyList<Tensor> TrainableParameters => (this).TrainableParameterGroups().Select(g => g.Parameter).ToList();

    /// <summary>Clears every layer's gradients.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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
