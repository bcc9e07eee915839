using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using TorchSharp;
using static TorchSharp.torch;

namespace TransferNotebooks.Layers;

/// <summary>
/// A Keras-style layer over a TorchSharp module: it knows its input and output shapes (Keras convention, without the
/// batch dimension, channels last), builds its weights when it first learns its input shape, and can be frozen.
/// </summary>
/// <remarks>
/// Layout: shapes in the public API are channels-last as in Keras ([H, W, C]). Inside the model, image tensors flow
/// channels-first ([N, C, H, W]) as torch's kernels want; the conversion happens only at the edges of the image part of a
/// model: the model input, <see cref="Flatten"/> and <see cref="Reshape"/>.
/// </remarks>
public abstract class Layer : nn.Module<Tensor, Tensor>
{
    bool trainable = true;

    /// <summary>Creates a layer; <paramref name="inputShape"/> (without the batch dimension) lets a model build at once.</summary>
    protected Layer(string? name, IEnumerable<int>? inputShape) : base(ReadyName(name))
    {
        Name = name;
        DeclaredInputShape = inputShape?.ToArray();
    }

    /// <summary>Makes sure TorchSharp's native library is loaded (with the Linux fix) before the module's native constructor runs.</summary>
    static string ReadyName(string? name)
    {
        Native.NativeSetup.EnsureTorch();
        return name ?? "layer";
    }

    /// <summary>The layer's name in its model (auto-assigned like Keras: <c>dense</c>, <c>dense_1</c>, ... when not given).</summary>
    public string? Name { get; internal set; }

    /// <summary>True when the name was given by the functional API's default naming (so a model may rename it to keep names unique).</summary>
    internal bool AutoNamed { get; set; }

    /// <summary>The layer's type: its registry and Keras name, aliases and config reader/writer (declared in the layer's file).</summary>
    public abstract LayerType LayerType { get; }

    /// <summary>The registry name of this layer type, as Keras spells it (for example <c>Dense</c>).</summary>
    public string TypeName => LayerType.Name;

    /// <summary>
    /// The layer's form in an exported PyTorch <c>model.py</c> (<c>SavePyTorch</c>): its module construction and forward expression,
    /// computing what <see cref="Call(Tensor, bool)"/> computes on the same internal layout, with parameters named as here.
    /// </summary>
    /// <exception cref="NotSupportedException">The layer type has no PyTorch form (a custom layer that does not override this).</exception>
    internal virtual Interop.PyTorch.PyTorchCode ToPyTorch(Interop.PyTorch.PyTorchContext context) =>
        throw new NotSupportedException($"Layer {Label} has no PyTorch form ({GetType().Name} is not a built-in layer), so the model cannot be exported "
            + "with SavePyTorch. Replace the layer with built-in ones before exporting, or save to Keras (.keras) and convert there.");

    /// <summary>The input shape given at construction (Keras's <c>input_shape</c>), if any.</summary>
    public int[]? DeclaredInputShape { get; }

    /// <summary>The input shape the layer was built for (without the batch dimension); null before it is built.</summary>
    public int[]? InputShape { get; private set; }

    /// <summary>The output shape (without the batch dimension); null before the layer is built.</summary>
    public int[]? OutputShape { get; private set; }

    /// <summary>True once the weights exist.</summary>
    public bool Built => OutputShape is not null;

    /// <summary>
    /// Whether training updates this layer's weights. Setting false freezes it: its parameters stop requiring gradients,
    /// optimizers skip them (no momentum or weight decay reaches them) and Summary shows it as frozen.
    /// </summary>
    public bool Trainable
    {
        get => trainable;
        set
        {
            trainable = value;
            foreach (var p in parameters()) p.requires_grad = value;
            OnTrainableChanged(value);
        }
    }

    /// <summary>Called after <see cref="Trainable"/> is set (a nested model passes the flag on to its layers, as Keras does).</summary>
    protected virtual void OnTrainableChanged(bool trainable) { }

    /// <summary>A factor applied to the optimizer's learning rate for this layer's weights (discriminative fine-tuning); 1 by default.</summary>
    public double LearningRateMultiplier { get; set; } = 1.0;

    /// <summary>The named weights of this layer (Keras names: kernel, bias, gamma, beta, moving_mean, moving_variance, embeddings).</summary>
    public IReadOnlyList<(string Name, Tensor Value, bool IsTrainableParameter)> Weights =>
        named_parameters().Select(p => (p.name, (Tensor)p.parameter, true))
            .Concat(named_buffers().Select(b => (b.name, b.buffer, false)))
            .OrderBy(w => WeightOrder(w.Item1))
            .ToList();

    /// <summary>Number of scalar weights (parameters and running statistics, as Keras counts them).</summary>
    public long ParameterCount => Weights.Sum(w => w.Value.numel());

    /// <summary>Number of trainable scalar weights (0 when frozen).</summary>
    public virtual long TrainableParameterCount => Trainable ? parameters().Sum(p => p.numel()) : 0;

    /// <summary>The weights the optimizer updates this step, each with its learning-rate factor (a nested model gives its own layers').</summary>
    public virtual IEnumerable<Optimizers.ParameterGroup> TrainableParameterGroups()
    {
        // A plain loop, not LINQ: Fit asks once per epoch, and each generic LINQ instantiation is more code for the runtime
        // to tier up during a process's first Fit calls (docs/architecture.md, "JIT on the per-batch path").
        var groups = new List<Optimizers.ParameterGroup>();
        foreach (var p in parameters())
            if (p.requires_grad) groups.Add(new Optimizers.ParameterGroup(p, LearningRateMultiplier));
        return groups;
    }

    /// <summary>Runs a layer that takes several inputs (merge layers override it); a one-input layer takes a list of one.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public virtual Tensor Call(IReadOnlyList<Tensor> inputs, bool training) => inputs.Count == 1 ? Call(inputs[0], training)
        : throw new ArgumentException($"Layer '{Name}' ({TypeName}) takes one input but was given {inputs.Count}.");

    /// <summary>Builds the weights for <paramref name="inputShape"/> (without the batch dimension). Idempotent for the same shape.</summary>
    /// <exception cref="ArgumentException">The layer was already built for another shape, or cannot take this shape.</exception>
    public void Build(int[] inputShape)
    {
        if (InputShape is not null)
        {
            if (!InputShape.SequenceEqual(inputShape))
                throw new ArgumentException($"Layer '{Name}' ({TypeName}) was built for input {ShapeText(InputShape)} but now receives {ShapeText(inputShape)}. "
                    + "Rebuild the model or give data of the original shape.");
            return;
        }
        var output = BuildCore(inputShape);
        // Weights belong to the layer, not to the dispose scope of the call that happened to build it (Predict or Call on a model
        // without an input shape builds inside its batch scope, which would otherwise free the new weights at its end).
        foreach (var p in parameters()) p.DetachFromDisposeScope();
        foreach (var b in buffers()) b.DetachFromDisposeScope();
        InputShape = inputShape.ToArray();
        OutputShape = output;
        if (!trainable) foreach (var p in parameters()) p.requires_grad = false;
    }

    /// <summary>Creates the weights for <paramref name="inputShape"/> and returns the output shape.</summary>
    protected abstract int[] BuildCore(int[] inputShape);

    /// <summary>Runs the layer. <paramref name="training"/> switches dropout and batch-norm statistics on.</summary>
    public abstract Tensor Call(Tensor input, bool training);

    /// <summary>
    /// Calls the layer on a symbolic tensor (Keras's functional API, <c>layer(x)</c>): builds the layer for the tensor's shape and
    /// returns the symbolic output, recording the call so that <c>new Functional(inputs, outputs)</c> can run it.
    /// <c>var x = Dense(64, activation: "relu").Call(inputs);</c> A layer called twice shares its weights.
    /// </summary>
    /// <exception cref="ArgumentException">The layer cannot take the tensor's shape; the message names both layers.</exception>
    public KerasTensor Call(KerasTensor input) => CallSymbolic([input ?? throw new ArgumentNullException(nameof(input))], null);

    /// <summary>Calls the layer on a symbolic tensor with a fixed mode (Keras's <c>layer(x, training=False)</c>: false keeps it in inference mode inside training).</summary>
    public KerasTensor Call(KerasTensor input, bool training) => CallSymbolic([input ?? throw new ArgumentNullException(nameof(input))], training);

    /// <summary>The symbolic call: checks and builds for the inputs' shapes, names the layer in the graph, returns the output tensor.</summary>
    internal virtual KerasTensor CallSymbolic(IReadOnlyList<KerasTensor> inputs, bool? training)
    {
        if (inputs.Count != 1)
            throw new ArgumentException($"Layer {Label} takes one input but was called on {inputs.Count}.");
        var input = inputs[0];
        input.Scope.Name(this);
        var shape = input.ShapeArray;
        if (DeclaredInputShape is { } declared && !declared.SequenceEqual(shape))
            throw new ArgumentException($"Layer {Label} declares inputShape {ShapeText(declared)} but is called on the output of {input.Origin}, of shape {ShapeText(shape)}.");
        try { Build(shape); }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"Layer {Label} cannot take the output of {input.Origin}, of shape {ShapeText(shape)}: {e.Message}", e);
        }
        return new KerasTensor(OutputShape!, this, inputs, training, null, input.Scope);
    }

    /// <summary>The layer for messages: <c>'dense' (Dense)</c>.</summary>
    internal string Label => $"'{Name ?? LayerType.DefaultName}' ({TypeName})";

    /// <summary>
    /// True when the layer keeps its input's steps, so a padding mask (<see cref="Embedding.MaskZero"/>) still applies after
    /// it (Dropout, Activation, Dense, Rescaling, recurrent layers returning sequences); false ends the mask, as in Keras 3.
    /// </summary>
    public virtual bool PassesMask => false;

    /// <summary>Runs the layer with the padding mask of its input ([batch, steps] booleans; null when none). Layers that use masks override it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public virtual Tensor Call(Tensor input, bool training, Tensor? mask) => Call(input, training);

    /// <summary>The mask of this layer's output given its input and the input's mask (Keras's <c>compute_mask</c>).</summary>
    public virtual Tensor? ComputeMask(Tensor input, Tensor? mask) => PassesMask ? mask : null;

    /// <summary>
    /// The activation applied last, when the layer can run without it (Dense, convolutions, Activation): a loss that fuses
    /// softmax or sigmoid then gets the pre-activation values through <see cref="CallWithoutActivation"/>. Null otherwise.
    /// </summary>
    public virtual ActivationFunction? OutputActivation => null;

    /// <summary>Runs the layer without its <see cref="OutputActivation"/> (only for layers that have one).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public virtual Tensor CallWithoutActivation(Tensor input, bool training) =>
        throw new NotSupportedException($"Layer '{Name}' ({TypeName}) has no separable activation.");

    /// <summary>
    /// Whether the layer still updates while frozen when the model keeps normalization statistics training
    /// (<paramref name="keepTrainingNormalization"/>: <c>FrozenBatchNorm.KeepTraining</c>); only normalization layers say yes.
    /// </summary>
    public virtual bool UpdatesWhenFrozen(bool keepTrainingNormalization) => false;

    /// <summary>The element type the layer takes as a model's first layer (token ids: Int64); null for floating-point input.</summary>
    public virtual ScalarType? InputDType => null;

    /// <summary>Checks a model's raw input before it reaches this (first) layer, with an error naming the fix (for example token ids out of range).</summary>
    public virtual void CheckInput(Tensor input) { }

    /// <summary>When the layer, first in a model, cannot take samples of <paramref name="perSampleShape"/>, the explanation and fix; else null.</summary>
    public virtual string? InputHint(int[] perSampleShape) => null;

    /// <summary>Runs the layer in the module's current mode (TorchSharp's entry point).</summary>
    public override Tensor forward(Tensor input) => Call(input, this.training);

    /// <summary>The layer's configuration as Keras names it (units, activation, ...), used by Save/Load, the Keras writer and Summary.</summary>
    public JsonObject GetConfig() => LayerType.WriteConfig(this);

    /// <summary>The names of the weights Keras saves for this layer, in Keras's creation order (<c>vars/0</c>, <c>vars/1</c>, ...).</summary>
    public virtual IReadOnlyList<string> KerasWeightNames => Weights.Select(w => w.Name).ToList();

    /// <summary>
    /// How weight <paramref name="weightName"/> is laid out in Keras compared with here: the permutation of this layer's tensor
    /// dimensions that gives Keras's (for example a Conv2D kernel (out, in, kh, kw) -> (kh, kw, in, out) is [2, 3, 1, 0]); null when equal.
    /// </summary>
    public virtual int[]? KerasAxisOrder(string weightName) => null;

    /// <summary>True when Keras files this layer's variables under its cell (<c>layers/lstm/cell/vars</c>), as for recurrent layers.</summary>
    public virtual bool KerasWeightsInCell => false;

    /// <summary>Formats a shape the way Keras prints it, with the batch dimension as None.</summary>
    public static string ShapeText(IEnumerable<int>? shape) =>
        shape is null ? "?" : "(None" + string.Concat(shape.Select(d => ", " + d)) + ")";

    static int WeightOrder(string name) => name switch
    {
        "kernel" or "embeddings" or "gamma" => 0,
        "recurrent_kernel" => 1,
        "bias" or "beta" => 2,
        "moving_mean" => 3,
        "moving_variance" => 4,
        _ => 5,
    };

    /// <summary>Glorot (Xavier) uniform initialisation, Keras's default for kernels: U(-l, l), l = sqrt(6 / (fanIn + fanOut)).</summary>
    protected static Tensor GlorotUniform(long[] shape, long fanIn, long fanOut)
    {
        double limit = Math.Sqrt(6.0 / (fanIn + fanOut));
        using var u = rand(shape, ScalarType.Float32);
        return (u * (2 * limit) - limit).detach();
    }

    /// <summary>
    /// Adds this layer's ONNX nodes to <paramref name="graph"/> for <paramref name="inputs"/> (value names, in the model's inner layout:
    /// images channels first, as <c>Call</c> receives them) and returns the output's name; inference form (dropout off, batch
    /// statistics frozen). Used by <c>model.Save("model.onnx")</c>. A custom layer overrides it to be exportable.
    /// </summary>
    /// <exception cref="NotSupportedException">The layer, or one of its settings, has no ONNX form (the message names it and the fix).</exception>
    public virtual string[] ToOnnx(Interop.Onnx.OnnxGraph graph, string[] inputs) =>
        throw new NotSupportedException($"Layer {Label} has no ONNX form; export needs every layer to have one. "
            + "Override ToOnnx(OnnxGraph, string[]) in the layer class to add its ONNX nodes, or replace the layer with built-in ones, "
            + "or save the model in this library's format (.tnmodel) instead.");
}
