using System.Runtime.CompilerServices;
using System.Diagnostics;
using TorchSharp;
using TransferNotebooks.Losses;
using TransferNotebooks.Metrics;
using TransferNotebooks.Training.Callbacks;
using static TorchSharp.torch;

namespace TransferNotebooks.Training;

/// <summary>
/// The one training loop of the library: <see cref="Fit"/>, <see cref="Evaluate"/> and <see cref="Predict"/>. Everything else
/// (callbacks, progress, fine-tuning, checkpoints, early stopping) hooks into it through <see cref="Callback"/>.
/// </summary>
/// <remarks>
/// Speed: each epoch draws one permutation and every batch gathers its rows with one index_select of its slice of it
/// (without shuffling, batches are views). Gathering per batch rather than the whole data set per epoch keeps the copy
/// batch-sized, reused by the allocator and hot in cache when the forward pass reads it (measured on IMDB multi-hot
/// 15,000 x 10,000: the per-epoch copy cost a third of the epoch in page faults and doubled peak memory); for small data
/// the two are equal. Loss and metrics accumulate on tensors and are read only at epoch end or when a callback asks;
/// metrics that depend only on the order of the scores (accuracy, top-k) get the logits, without the softmax.
/// Memory: every batch runs in a dispose scope, so native memory stays flat.
/// JIT: every per-batch method (the loop's own here, the models' Forward, PrepareInput, ZeroGrad, Loss.Compute,
/// Optimizer.Step, and each layer's, loss's, metric's and optimizer's per-batch hook) is compiled fully optimised on first use
/// (<see cref="MethodImplOptions.AggressiveOptimization"/>; PerBatchCompilationTests checks the hooks). Tiered compilation
/// would recompile them in the background during the next Fit calls, where on a small machine the compiler competes with
/// the compute threads (docs/architecture.md, "JIT on the per-batch path"; docs/benchmarks.md).
/// </remarks>
public static class Trainer
{
    /// <summary>Trains <paramref name="model"/> on (<paramref name="x"/>, <paramref name="y"/>).</summary>
    /// <exception cref="ArgumentException">Bad data or options; nothing was changed.</exception>
    public static History Fit(ITrainableModel model, Tensor x, Tensor y, FitOptions options)
    {
        if (options.BatchSize <= 0) throw new ArgumentOutOfRangeException(nameof(options), options.BatchSize, $"batchSize must be positive (got {options.BatchSize}); 32 or 128 are usual.");
        if (options.Epochs <= options.InitialEpoch) throw new ArgumentOutOfRangeException(nameof(options), options.Epochs, $"epochs ({options.Epochs}) must be greater than initialEpoch ({options.InitialEpoch}).");
        if (x.shape[0] == 0) throw new ArgumentException("Fit received no samples (the data is empty).");
        model.Validate(x, y);
        if (options.ValidationData is { } vd) model.Validate(vd.X, vd.Y);

        using var outer = NewDisposeScope();
        // Inputs stay as the user gave them (uint8 images, compact multi-hot); each batch is converted on its own.
        var (trainX, trainY, validation) = SplitValidation(x, y, options);
        long nTrain = trainX.shape[0];
        var sampleWeights = options.ClassWeight is null ? null : ClassWeights(options.ClassWeight, trainY);

        int steps = (int)((nTrain + options.BatchSize - 1) / options.BatchSize);
        var history = new History();
        var callbacks = new List<Callback>(options.Callbacks);
        // The progress display is a callback like any other; a ProgressBar passed by the caller replaces the default one (as Keras).
        // It goes first so that its epoch line is complete before other callbacks print (early stopping, LR changes).
        if (options.Verbose > 0 && !callbacks.OfType<ProgressBar>().Any()) callbacks.Insert(0, new ProgressBar());
        var parameters = new TrainingParams(options.Epochs, steps, (int)nTrain, options.Verbose, options.InitialEpoch, validation is not null);
        foreach (var c in callbacks) { c.Model = model; c.Params = parameters; }

        Generator? generator = null;
        if (options.Seed is int seed)
        {
            manual_seed(seed);
            generator = new Generator((ulong)seed);
        }

        var metrics = model.CreateMetrics();
        model.StopTraining = false;
        foreach (var c in callbacks) c.OnTrainBegin(Logs.Empty);
        try
        {
            for (int epoch = options.InitialEpoch; epoch < options.Epochs; epoch++)
            {
                foreach (var c in callbacks) c.OnEpochBegin(epoch, Logs.Empty);
                var clock = Stopwatch.StartNew();
                var logs = RunEpoch(model, trainX, trainY, sampleWeights, options, generator, metrics, callbacks);
                if (validation is { } val && !options.CancellationToken.IsCancellationRequested)
                {
                    var result = EvaluateCore(model, val.X, val.Y, options.BatchSize, callbacks);
                    foreach (var (k, value) in result.Values) logs["val_" + k] = value;
                }
                logs["learning_rate"] = model.Optimizer.LearningRate;
                var epochLogs = new Logs(logs);
                foreach (var c in callbacks) c.OnEpochEnd(epoch, epochLogs);
                history.Append(epoch, new Dictionary<string, double>(logs) { ["seconds"] = clock.Elapsed.TotalSeconds });
                // TorchSharp scalars created implicitly inside libtorch wrappers are freed by finalizers; the loop allocates too
                // little managed memory for the GC to run on its own, so collect once per epoch (measured: flat RSS). The epoch's
                // garbage is young: a gen-1 collection finds it. A full one would also walk the host's whole heap, 55 ms per epoch
                // with 300 MB of small objects (a notebook kernel's compiler state) against 0.5 ms (bench micro --gc 1 --heap-mb 300).
                GC.Collect(1, GCCollectionMode.Forced, blocking: true);
                GC.WaitForPendingFinalizers();
                if (model.StopTraining || options.CancellationToken.IsCancellationRequested) break;
            }
        }
        finally
        {
            foreach (var m in metrics) m.Dispose();
            generator?.Dispose();
        }
        foreach (var c in callbacks) c.OnTrainEnd(new Logs(history.Count > 0 ? history.Values.ToDictionary(kv => kv.Key, kv => kv.Value[^1]) : new()));
        return history;
    }

    /// <summary>
    /// The training rows and the validation data of one Fit: <see cref="FitOptions.ValidationData"/> when given, else the last
    /// <see cref="FitOptions.ValidationSplit"/> of the rows (taken before shuffling, as Keras). Narrow views, no copies: the one
    /// place the split is made, so FineTune's two phases can share it.
    /// </summary>
    /// <exception cref="ArgumentException">The split leaves no training rows.</exception>
    internal static (Tensor X, Tensor Y, (Tensor X, Tensor Y)? Validation) SplitValidation(Tensor x, Tensor y, FitOptions options)
    {
        if (options.ValidationSplit is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(options), options.ValidationSplit, "validationSplit must be in [0, 1), for example 0.1.");
        long n = x.shape[0];
        long nVal = options.ValidationData is null && options.ValidationSplit > 0 ? (long)Math.Round(n * options.ValidationSplit) : 0;
        long nTrain = n - nVal;
        if (nTrain <= 0) throw new ArgumentException($"validationSplit {options.ValidationSplit} leaves no training samples out of {n}.");
        if (options.ValidationData is { } v) return (x, y, (v.X, v.Y));
        return nVal > 0 ? (x.narrow(0, 0, nTrain), y.narrow(0, 0, nTrain), (x.narrow(0, nTrain, nVal), y.narrow(0, nTrain, nVal))) : (x, y, null);
    }

    /// <summary>
    /// One batch of a pass over the data: its number, its rows <c>[Start, Start + Length)</c> and, when shuffling, the epoch's
    /// permutation whose slice names the rows. The one place batches are sliced (Fit, Evaluate and Predict).
    /// </summary>
    readonly record struct Batch(int Number, long Start, long Length, Tensor? Order)
    {
        /// <summary>
        /// This batch's rows of <paramref name="t"/>: a narrow view without shuffling, else one index_select of the permutation's
        /// slice (a batch-sized copy). Call inside the batch's dispose scope.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public Tensor Of(Tensor t) => Order is null ? t.narrow(0, Start, Length) : t.index_select(0, Order.narrow(0, Start, Length));
    }

    /// <summary>The batches of <paramref name="n"/> rows in order, the last one shorter; <paramref name="order"/> is the permutation (null: in order).</summary>
    static IEnumerable<Batch> Batches(long n, int batchSize, Tensor? order = null)
    {
        int number = 0;
        for (long start = 0; start < n; start += batchSize)
            yield return new Batch(number++, start, Math.Min(batchSize, n - start), order);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static Dictionary<string, double> RunEpoch(ITrainableModel model, Tensor x, Tensor y, Tensor? weights, FitOptions options,
        Generator? generator, IReadOnlyList<Metric> metrics, List<Callback> callbacks)
    {
        long n = x.shape[0];
        foreach (var m in metrics) m.Reset();
        using var epochScope = NewDisposeScope();
        var perm = options.Shuffle ? randperm(n, generator: generator) : null;
        bool probabilitiesNeeded = metrics.Any(m => !m.UsesOnlyScoreOrder);
        var lossSum = zeros(1, dtype: ScalarType.Float64);
        long seen = 0;
        var groups = model.TrainableParameterGroups();
        if (groups.Count == 0)
            throw new InvalidOperationException("The model has no trainable weights (every layer is frozen). Unfreeze some layers (model.Unfreeze() or layer.Trainable = true) before Fit.");

        foreach (var batch in Batches(n, options.BatchSize, perm))
        {
            int b = batch.Number;
            long len = batch.Length;
            foreach (var c in callbacks) c.OnTrainBatchBegin(b, Logs.Empty);
            using (var batchScope = NewDisposeScope())
            {
                var xb = batch.Of(x);
                var yb = batch.Of(y);
                var wb = weights is null ? null : batch.Of(weights);
                xb = model.PrepareInput(xb);
                model.ZeroGrad();
                var output = model.Forward(xb, training: true, forLoss: true);
                var loss = model.Loss.Compute(yb, output.Output, output.Form, wb);
                loss.backward();
                model.Optimizer.Step(groups);
                using (no_grad())
                {
                    using Scalar count = len; // disposed here, not left to the finalizer thread
                    lossSum.add_(loss, count);
                    if (metrics.Count > 0)
                    {
                        var scores = MetricInput(output, probabilitiesNeeded);
                        foreach (var m in metrics) m.Update(yb, scores);
                    }
                }
            }
            seen += len;
            long seenNow = seen;
            var batchLogs = new Logs(() => RunningLogs(lossSum, seenNow, metrics));
            foreach (var c in callbacks) c.OnTrainBatchEnd(b, batchLogs);
            if (model.StopTraining || options.CancellationToken.IsCancellationRequested) break;
        }
        return new Dictionary<string, double>(RunningLogs(lossSum, seen, metrics));
    }

    /// <summary>What metrics receive: probabilities, or the logits themselves when every metric depends only on the scores' order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static Tensor MetricInput(ModelOutput output, bool probabilitiesNeeded) =>
        probabilitiesNeeded && output.Form == OutputForm.Logits && output.FinalActivation is { } act ? act(output.Output.detach()) : output.Output.detach();

    static IReadOnlyDictionary<string, double> RunningLogs(Tensor lossSum, long seen, IReadOnlyList<Metric> metrics)
    {
        var logs = new Dictionary<string, double> { ["loss"] = seen == 0 ? double.NaN : lossSum.item<double>() / seen };
        foreach (var m in metrics) logs[m.Name] = m.Result();
        return logs;
    }

    static Tensor ClassWeights(IReadOnlyDictionary<int, double> classWeight, Tensor y)
    {
        if (y.dim() != 1) throw new ArgumentException("classWeight needs integer class labels (a 1-D label tensor).");
        long classes = Math.Max(classWeight.Keys.DefaultIfEmpty(0).Max() + 1, y.max().item<long>() + 1);
        var table = Enumerable.Range(0, (int)classes).Select(c => (float)(classWeight.TryGetValue(c, out var w) ? w : 1.0)).ToArray();
        using var t = tensor(table);
        using var idx = y.to_type(ScalarType.Int64);
        return t.index_select(0, idx);
    }

    /// <summary>Loss and metrics on (<paramref name="x"/>, <paramref name="y"/>): batched, no gradients, inference mode.</summary>
    public static EvaluationResult Evaluate(ITrainableModel model, Tensor x, Tensor y, int batchSize = 32, IEnumerable<Callback>? callbacks = null)
    {
        if (batchSize <= 0) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "batchSize must be positive.");
        if (x.shape[0] == 0) throw new ArgumentException("Evaluate received no samples (the data is empty).");
        model.Validate(x, y);
        return EvaluateCore(model, x, y, batchSize, callbacks?.ToList() ?? []);
    }

    static EvaluationResult EvaluateCore(ITrainableModel model, Tensor x, Tensor y, int batchSize, IReadOnlyList<Callback> callbacks)
    {
        foreach (var c in callbacks) c.OnTestBegin(Logs.Empty);
        var metrics = model.CreateMetrics();
        try
        {
            long n = x.shape[0];
            using var outer = NewDisposeScope();
            using var noGrad = no_grad();
            var lossSum = zeros(1, dtype: ScalarType.Float64);
            bool probabilitiesNeeded = metrics.Any(m => !m.UsesOnlyScoreOrder);
            foreach (var batch in Batches(n, batchSize))
            {
                using var batchScope = NewDisposeScope();
                long len = batch.Length;
                var xb = model.PrepareInput(batch.Of(x));
                var yb = batch.Of(y);
                var output = model.Forward(xb, training: false, forLoss: true);
                var loss = model.Loss.Compute(yb, output.Output, output.Form);
                using Scalar count = len;
                lossSum.add_(loss, count);
                if (metrics.Count > 0)
                {
                    var scores = MetricInput(output, probabilitiesNeeded);
                    foreach (var m in metrics) m.Update(yb, scores);
                }
            }
            var values = new Dictionary<string, double>(RunningLogs(lossSum, n, metrics));
            var result = new EvaluationResult(values, (int)n);
            foreach (var c in callbacks) c.OnTestEnd(new Logs(values));
            return result;
        }
        finally
        {
            foreach (var m in metrics) m.Dispose();
        }
    }

    /// <summary>The model's outputs (probabilities for classifiers) for every sample, batched, without gradients, in inference mode.</summary>
    public static Tensor Predict(ITrainableModel model, Tensor x, int batchSize = 32)
    {
        if (batchSize <= 0) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "batchSize must be positive.");
        model.Validate(x, null);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        long n = x.shape[0];
        var parts = new List<Tensor>();
        foreach (var batch in Batches(n, batchSize))
        {
            using var batchScope = NewDisposeScope();
            var output = model.Forward(model.PrepareInput(batch.Of(x)), training: false, forLoss: false).Output;
            // Image outputs (a feature map, 4-D inside: [N, C, H, W]) leave the model in Keras's layout, as their OutputShape says: [N, H, W, C].
            if (output.dim() == 4) output = Layers.ImageLayout.ToChannelsLast(output).contiguous();
            parts.Add(output.MoveToOuterDisposeScope());
        }
        return cat(parts, 0).MoveToOuterDisposeScope();
    }
}
