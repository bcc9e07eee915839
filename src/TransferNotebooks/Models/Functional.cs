using TransferNotebooks.Data;
using TransferNotebooks.Layers;
using TransferNotebooks.Losses;
using TransferNotebooks.Metrics;
using TransferNotebooks.Native;
using TransferNotebooks.Optimizers;
using TransferNotebooks.Training;
using TransferNotebooks.Training.Callbacks;
using static TorchSharp.torch;

namespace TransferNotebooks.Models;

/// <summary>
/// A model as a graph of layers (Keras's functional API, <c>keras.Model(inputs, outputs)</c>): residual connections, merges, shared
/// layers and models used as layers, with the same workflow as <see cref="Sequential"/> (Compile, Fit, Evaluate, Predict, Summary,
/// freezing, Save) and the same training loop.
/// <code>
/// var inputs = Input([28, 28, 1]);
/// var x = Conv2D(8, 3, activation: "relu").Call(inputs);
/// var y = Conv2D(8, 3, padding: "same", activation: "relu").Call(x);
/// x = Add().Call(x, y);
/// var outputs = Dense(10, activation: "softmax").Call(Flatten().Call(MaxPooling2D().Call(x)));
/// var model = new Functional(inputs, outputs);
/// </code>
/// </summary>
/// <remarks>This version takes one input and one output. Data layout is Keras's, as for <see cref="Sequential"/>.</remarks>
public sealed partial class Functional : ITrainableModel, IDisposable
{
    /// <summary>One layer call of the graph: the layer, the value slots it reads, the slot it writes, its fixed mode.</summary>
    internal sealed record Node(Layer Layer, int[] Inbound, int Slot, bool? Training, int CallIndex, KerasTensor Output);

    readonly List<Node> nodes = [];
    readonly List<Layer> layers = [];
    readonly CompileSettings compiled = new();
    int slots;

    /// <summary>Creates the model from the graph between <paramref name="inputs"/> (made by <see cref="Keras.Input"/>) and <paramref name="outputs"/>.</summary>
    /// <exception cref="ArgumentException">The input is not an Input, the output is not computed from it, or two layers share a name.</exception>
    public Functional(KerasTensor inputs, KerasTensor outputs, string name = "functional")
    {
        NativeSetup.EnsureTorch();
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(outputs);
        if (!inputs.IsInput)
            throw new ArgumentException($"The model's input must be a tensor made by Keras.Input(shape), but it is the output of {inputs.Origin}. "
                + "Pass the Input the graph starts from: var inputs = Input([28, 28, 1]); ... new Functional(inputs, outputs).", nameof(inputs));
        if (ReferenceEquals(inputs, outputs))
            throw new ArgumentException("The model's output is its input: call at least one layer on the input first.", nameof(outputs));
        Name = name;
        Input = inputs;
        Output = outputs;
        var slotOf = new Dictionary<KerasTensor, int>(ReferenceEqualityComparer.Instance) { [inputs] = 0 };
        var calls = new Dictionary<Layer, int>(ReferenceEqualityComparer.Instance);
        slots = 1;
        Visit(outputs, slotOf, calls);
        Layers = new LayerList(layers);
        var taken = new Dictionary<string, Layer>(StringComparer.Ordinal) { [inputs.InputName!] = null! };
        foreach (var l in layers)
            if (!taken.TryAdd(l.Name!, l))
                throw new ArgumentException($"Two layers of the model are named '{l.Name}': give one another name (name: \"...\"); layer names identify weights in saved files.");
    }

    void Visit(KerasTensor t, Dictionary<KerasTensor, int> slotOf, Dictionary<Layer, int> calls)
    {
        if (slotOf.ContainsKey(t)) return;
        if (t.IsInput)
            throw new ArgumentException($"The output is not connected to the model's input '{Input.InputName}' {Layer.ShapeText(Input.ShapeArray)}: "
                + $"it is computed from another input, '{t.InputName}' {Layer.ShapeText(t.ShapeArray)}. Build the layers on the Input you pass to the model "
                + "(models with several inputs are not supported yet).");
        foreach (var i in t.Inputs) Visit(i, slotOf, calls);
        var layer = t.Layer!;
        int call = calls.TryGetValue(layer, out var c) ? c + 1 : 0;
        calls[layer] = call;
        if (call == 0) layers.Add(layer);
        slotOf[t] = slots++;
        nodes.Add(new Node(layer, t.Inputs.Select(i => slotOf[i]).ToArray(), slotOf[t], t.Training, call, t));
    }

    /// <summary>The model's name.</summary>
    public string Name { get; set; }

    /// <summary>The symbolic input the model was built from.</summary>
    public KerasTensor Input { get; }

    /// <summary>The symbolic output.</summary>
    public KerasTensor Output { get; }

    /// <summary>The layers in the order they first run (a layer called twice appears once), by index or name.</summary>
    public LayerList Layers { get; }

    /// <summary>The per-sample input shape (Keras convention).</summary>
    public int[] InputShape => Input.ShapeArray.ToArray();

    /// <summary>The per-sample output shape.</summary>
    public int[] OutputShape => Output.ShapeArray.ToArray();

    /// <summary>Always true: layers are built when they are called on symbolic tensors.</summary>
    public bool Built => true;

    /// <summary>True after Compile.</summary>
    public bool IsCompiled => compiled.IsCompiled;

    /// <summary>What BatchNormalization layers do when frozen (see <see cref="Models.FrozenBatchNorm"/>).</summary>
    public FrozenBatchNorm FrozenBatchNorm { get; set; } = FrozenBatchNorm.Inference;

    /// <summary>The layer calls in the order they run.</summary>
    internal IReadOnlyList<Node> Nodes => nodes;

    // ---------------------------------------------------------------- compile

    /// <summary>
    /// Chooses the optimizer, loss and metrics, by Keras name or object, as <see cref="Sequential.Compile(Optimizer, Loss, IEnumerable{string}?)"/>:
    /// <c>Compile(optimizer: "adam", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"])</c>.
    /// </summary>
    public Functional Compile(Optimizer optimizer, Loss loss, IEnumerable<string>? metrics = null)
    {
        compiled.Set(optimizer, loss, metrics);
        return this;
    }

    /// <summary>Compile with metric objects.</summary>
    public Functional Compile(Optimizer optimizer, Loss loss, IEnumerable<Metric> metrics)
    {
        compiled.Set(optimizer, loss, metrics);
        return this;
    }

    /// <inheritdoc />
    public Optimizer Optimizer => compiled.RequireOptimizer();

    /// <inheritdoc />
    public Loss Loss => compiled.RequireLoss();

    /// <summary>The metric names given to Compile.</summary>
    public IReadOnlyList<string> MetricNames => compiled.MetricNames;

    /// <inheritdoc />
    public IReadOnlyList<Metric> CreateMetrics() => compiled.CreateMetrics();

    // ---------------------------------------------------------------- fit / evaluate / predict

    /// <summary>Trains the model (Keras's <c>fit</c>); the arguments are <see cref="Sequential"/>'s.</summary>
    /// <param name="x">A <see cref="Dataset"/>, input tensors in Keras layout with <paramref name="y"/>, or .NET feature rows with integer labels.</param>
    /// <param name="y">Targets for tensor or array inputs.</param>
    /// <param name="epochs">Epoch to stop before.</param>
    /// <param name="batchSize">Samples per step.</param>
    /// <param name="validationSplit">Fraction taken from the end (before shuffling) for validation.</param>
    /// <param name="validationData">Separate validation data (overrides the split).</param>
    /// <param name="shuffle">Shuffle each epoch.</param>
    /// <param name="seed">Seed for shuffling and dropout.</param>
    /// <param name="initialEpoch">Epoch to start at.</param>
    /// <param name="classWeight">Class index to loss weight.</param>
    /// <param name="callbacks">Callbacks.</param>
    /// <param name="verbose">0 silent, 1 progress bar, 2 one line per epoch.</param>
    /// <param name="cancellationToken">Stops after the current batch.</param>
    public History Fit(FitInputs x, FitTargets y = default, int epochs = 1, int batchSize = 32, double validationSplit = 0,
        Dataset? validationData = null, bool shuffle = true, int? seed = null, int initialEpoch = 0,
        IReadOnlyDictionary<int, double>? classWeight = null, IEnumerable<Callback>? callbacks = null, int verbose = 1,
        CancellationToken cancellationToken = default) =>
        Fit(x, y, FitOptions.From(epochs, batchSize, validationSplit, validationData, shuffle, seed, initialEpoch, classWeight, callbacks, verbose, cancellationToken));

    /// <summary>Trains the model on a <see cref="Dataset"/> with the <c>fit</c> arguments as one <see cref="FitOptions"/> value.</summary>
    public History Fit(FitInputs x, FitOptions options) => Fit(x, default, options);

    /// <summary>Trains the model with the <c>fit</c> arguments as one <see cref="FitOptions"/> value, through the one training loop.</summary>
    public History Fit(FitInputs x, FitTargets y, FitOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var (inputs, targets) = x.Resolve(y, out var owned);
        using var madeHere = owned;
        _ = Loss; _ = Optimizer; // Fit before Compile: clear error
        return Trainer.Fit(this, inputs, targets, options.ObservingInterruption());
    }

    /// <summary>Loss and metrics on test data, by name (Keras's <c>evaluate</c>).</summary>
    public EvaluationResult Evaluate(Tensor x, Tensor y, int batchSize = 32) => Trainer.Evaluate(this, x, y, batchSize);

    /// <summary>Loss and metrics on a <see cref="Dataset"/>.</summary>
    public EvaluationResult Evaluate(Dataset data, int batchSize = 32) => Evaluate(data.X, data.Y, batchSize);

    /// <summary>The model's outputs, batched, in inference mode (Keras's <c>predict</c>).</summary>
    public Tensor Predict(Tensor x, int batchSize = 32) => Trainer.Predict(this, x, batchSize);

    /// <summary>Outputs for a <see cref="Dataset"/>'s features.</summary>
    public Tensor Predict(Dataset data, int batchSize = 32) => Predict(data.X, batchSize);

    /// <summary>The most likely class of each sample (arg-max; threshold 0.5 for a single sigmoid output).</summary>
    public long[] PredictClasses(Tensor x, int batchSize = 32)
    {
        using var p = Predict(x, batchSize);
        using var classes = p.shape[^1] == 1 ? p.reshape(-1).gt(0.5).to_type(ScalarType.Int64) : p.argmax(-1);
        return classes.data<long>().ToArray();
    }

    // ---------------------------------------------------------------- freezing

    /// <summary>Freezes the named layers (all layers when none are named); a nested model freezes all its layers. No recompile is needed.</summary>
    public Functional Freeze(params string[] names)
    {
        foreach (var l in names.Length == 0 ? layers : names.Select(n => Layers[n])) l.Trainable = false;
        return this;
    }

    /// <summary>Freezes the named layers (F# lists pass straight in).</summary>
    public Functional Freeze(IEnumerable<string> names) => Freeze(names.ToArray());

    /// <summary>Unfreezes the named layers (all layers when none are named).</summary>
    public Functional Unfreeze(params string[] names)
    {
        foreach (var l in names.Length == 0 ? layers : names.Select(n => Layers[n])) l.Trainable = true;
        return this;
    }

    /// <summary>Unfreezes the named layers (F# lists pass straight in).</summary>
    public Functional Unfreeze(IEnumerable<string> names) => Unfreeze(names.ToArray());

    // ---------------------------------------------------------------- summary

    /// <summary>Keras's <c>summary()</c>: the input, then one row per layer with its output shape, parameters, trainable flag and the layers it is connected to.</summary>
    public ModelSummary Summary()
    {
        var rows = new List<LayerSummary> { new(Input.InputName!, "InputLayer", Layer.ShapeText(Input.ShapeArray), 0, true, null, "-") };
        foreach (var l in layers)
        {
            var connected = string.Join(", ", nodes.Where(n => ReferenceEquals(n.Layer, l)).SelectMany(n => n.Output.Inputs).Select(Reference));
            bool trainable = l.Trainable && (l.ParameterCount == 0 || l.TrainableParameterCount > 0); // a nested model with every layer frozen shows frozen
            rows.Add(ModelSummary.Row(l, null) with { Trainable = trainable, ConnectedTo = connected });
        }
        long trainableCount = layers.Sum(l => l.TrainableParameterCount);
        long total = layers.Sum(l => l.ParameterCount);
        return new ModelSummary(Name, rows, trainableCount, total - trainableCount);
    }

    /// <summary>Keras's name for a tensor in "Connected to": <c>conv2d[0][0]</c> (layer, call, output).</summary>
    string Reference(KerasTensor t) => t.IsInput ? $"{t.InputName}[0][0]" : $"{t.Layer!.Name}[{nodes.First(n => ReferenceEquals(n.Output, t)).CallIndex}][0]";

    /// <inheritdoc />
    public override string ToString() => Summary().ToString();

    /// <summary>Frees the optimizer state and the weights of the model's own layers (a nested model is its owner's to dispose).</summary>
    public void Dispose()
    {
        compiled.Optimizer?.Dispose();
        foreach (var l in layers) l.Dispose();
    }
}
