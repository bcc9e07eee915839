using System.Runtime.CompilerServices;
using TorchSharp;
using Parameter = TorchSharp.Modules.Parameter;
using static TorchSharp.torch;
using TransferNotebooks.Interop.PyTorch;

namespace TransferNotebooks.Layers;

/// <summary>
/// What Keras's recurrent layers share (<see cref="LSTM"/>, <see cref="GRU"/>): input <c>(steps, features)</c>, output the last
/// state <c>(units)</c> or every state <c>(steps, units)</c>; Keras-named weights in Keras's layout (<c>kernel</c>
/// <c>(features, gates·units)</c>, <c>recurrent_kernel</c> <c>(units, gates·units)</c>, <c>bias</c>); Glorot-uniform kernel,
/// orthogonal recurrent kernel; dropout on the inputs and on the recurrent state with one mask per sequence. Subclasses
/// give the gate count, the bias and one time step.
/// </summary>
public abstract class RecurrentLayer : Layer
{
    /// <summary>Sets the options every recurrent layer has; see <see cref="Keras.LSTM"/>.</summary>
    protected RecurrentLayer(int units, ActivationFunction? activation, ActivationFunction? recurrentActivation, bool useBias, bool returnSequences,
        double dropout, double recurrentDropout, string? name, IEnumerable<int>? inputShape) : base(name, inputShape)
    {
        if (units <= 0) throw new ArgumentOutOfRangeException(nameof(units), units, $"{GetType().Name} needs a positive number of units, for example {GetType().Name}(32).");
        if (dropout is < 0 or >= 1 || recurrentDropout is < 0 or >= 1)
            throw new ArgumentOutOfRangeException(nameof(dropout), $"{GetType().Name} dropout and recurrentDropout must be in [0, 1), for example 0.2.");
        Units = units;
        Activation = activation ?? Activations.Get("tanh");
        RecurrentActivation = recurrentActivation ?? Activations.Get("sigmoid");
        UseBias = useBias;
        ReturnSequences = returnSequences;
        Dropout = dropout;
        RecurrentDropout = recurrentDropout;
    }

    /// <summary>Size of the state.</summary>
    public int Units { get; }
    /// <summary>Applied to the candidate state (tanh by default).</summary>
    public ActivationFunction Activation { get; }
    /// <summary>Applied to the gates (sigmoid by default).</summary>
    public ActivationFunction RecurrentActivation { get; }
    /// <summary>Whether the gates have a bias.</summary>
    public bool UseBias { get; }
    /// <summary>True: output every step's state <c>(steps, units)</c>, to stack another recurrent layer; false: only the last <c>(units)</c>.</summary>
    public bool ReturnSequences { get; }
    /// <summary>Fraction of input features dropped during training (one mask per sequence, as Keras).</summary>
    public double Dropout { get; }
    /// <summary>Fraction of the recurrent state dropped during training (one mask per sequence).</summary>
    public double RecurrentDropout { get; }

    /// <summary>The constructor arguments every exported recurrent module takes (features, units, activations, flags, dropout).</summary>
    internal string PyTorchArguments() =>
        $"{InputShape![1]}, {Units}, activation={PyTorchActivations.Callable(Activation, Label)}, recurrent_activation={PyTorchActivations.Callable(RecurrentActivation, Label)}, "
        + $"use_bias={PythonSyntax.Bool(UseBias)}, return_sequences={PythonSyntax.Bool(ReturnSequences)}, dropout={PythonSyntax.Number(Dropout)}, recurrent_dropout={PythonSyntax.Number(RecurrentDropout)}";

    /// <summary>The Python base class of the exported recurrent modules: the loop over steps that <see cref="Call(Tensor, bool, Tensor?)"/> runs.</summary>
    internal static readonly PyTorchClass PyTorchBase = new("Recurrent", """
        class Recurrent(nn.Module):
            # What Keras LSTM and GRU share: kernel (features, gates units), recurrent_kernel (units, gates units), bias; one step at
            # a time over [N, steps, features]; a padded step (mask False) keeps the state; in training, dropout on the inputs and
            # on the state with one mask per sequence.
            def __init__(self, features, units, gates, bias_shape, activation, recurrent_activation, return_sequences, dropout, recurrent_dropout):
                super().__init__()
                self.units = units
                self.activation = activation
                self.recurrent_activation = recurrent_activation
                self.return_sequences = return_sequences
                self.dropout = dropout
                self.recurrent_dropout = recurrent_dropout
                self.kernel = nn.Parameter(torch.zeros(features, gates * units))
                self.recurrent_kernel = nn.Parameter(torch.zeros(units, gates * units))
                self.register_parameter("bias", nn.Parameter(torch.zeros(bias_shape)) if bias_shape is not None else None)

            def input_bias(self):
                return self.bias

            def initial_carry(self, x):
                return None

            def forward(self, x, mask=None):
                n, steps = x.shape[0], x.shape[1]
                if self.training and self.dropout > 0:
                    keep = torch.zeros(n, 1, x.shape[2], dtype=x.dtype, device=x.device).bernoulli_(1 - self.dropout)
                    x = x * keep / (1 - self.dropout)
                projected = x.matmul(self.kernel)
                bias = self.input_bias()
                if bias is not None:
                    projected = projected + bias
                recurrent_keep = None
                if self.training and self.recurrent_dropout > 0:
                    recurrent_keep = torch.zeros(n, self.units, dtype=x.dtype, device=x.device).bernoulli_(1 - self.recurrent_dropout) / (1 - self.recurrent_dropout)
                h = x.new_zeros(n, self.units)
                carry = self.initial_carry(x)
                states = []
                for t in range(steps):
                    new_h, new_carry = self.step(projected[:, t], h if recurrent_keep is None else h * recurrent_keep, h, carry)
                    if mask is not None:
                        keep_step = mask[:, t].unsqueeze(-1)
                        new_h = torch.where(keep_step, new_h, h)
                        if carry is not None:
                            new_carry = torch.where(keep_step, new_carry, carry)
                    h, carry = new_h, new_carry
                    states.append(h)
                return torch.stack(states, 1) if self.return_sequences else h
        """);

    /// <summary>Input weights [features, gates·units].</summary>
    public Parameter Kernel { get; private set; } = null!;
    /// <summary>Recurrent weights [units, gates·units].</summary>
    public Parameter RecurrentKernel { get; private set; } = null!;
    /// <summary>Gate biases (shape set by the layer), or null without bias.</summary>
    public Parameter? Bias { get; private set; }

    /// <summary>Gates per unit: 4 for LSTM, 3 for GRU.</summary>
    protected abstract int Gates { get; }
    /// <summary>The initial bias (Keras's bias initialiser for this layer).</summary>
    protected abstract Tensor InitialBias();
    /// <summary>The part of the bias added to the input projection (all of it unless the layer keeps a recurrent bias).</summary>
    protected virtual Tensor? InputBias => Bias;
    /// <summary>Extra state carried besides the output state (LSTM's cell state); null when there is none.</summary>
    protected virtual Tensor? InitialCarry(long batch, ScalarType dtype) => null;

    /// <summary>
    /// One time step: <paramref name="projected"/> is this step's <c>x·kernel (+ input bias)</c> [N, gates·units],
    /// <paramref name="recurrentInput"/> the previous state after recurrent dropout, <paramref name="previous"/> the previous
    /// state itself; returns the new state and updates <paramref name="carry"/>.
    /// </summary>
    protected abstract Tensor Step(Tensor projected, Tensor recurrentInput, Tensor previous, ref Tensor? carry);

    /// <inheritdoc />
    protected override int[] BuildCore(int[] inputShape)
    {
        if (inputShape.Length != 2)
            throw new ArgumentException($"{TypeName} layer '{Name}' needs (steps, features) per sample but got {ShapeText(inputShape)}. "
                + $"Token ids go through an Embedding first; images as rows: {TypeName}(units, inputShape: [28, 28]).");
        int features = inputShape[1], width = Gates * Units;
        Kernel = new Parameter(GlorotUniform([features, width], features, width));
        register_parameter("kernel", Kernel);
        using (var q = empty(Units, width))
        {
            nn.init.orthogonal_(q);
            RecurrentKernel = new Parameter(q.detach().clone());
        }
        register_parameter("recurrent_kernel", RecurrentKernel);
        if (UseBias)
        {
            using var b = InitialBias();
            Bias = new Parameter(b.detach().clone());
            register_parameter("bias", Bias);
        }
        return ReturnSequences ? [inputShape[0], Units] : [Units];
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override Tensor Call(Tensor input, bool training) => Call(input, training, null);

    /// <inheritdoc />
    public override bool PassesMask => ReturnSequences;

    /// <summary>
    /// Runs the sequence; with a padding <paramref name="mask"/> [batch, steps] a padded step leaves the state (and the
    /// cell state) as it was and repeats the previous output, as Keras does.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override Tensor Call(Tensor input, bool training, Tensor? mask)
    {
        if (input.dim() != 3 || input.shape[2] != Kernel.shape[0])
            throw new ArgumentException($"{TypeName} layer '{Name}' expects input [batch, steps, {Kernel.shape[0]}] but got [{string.Join(", ", input.shape)}].");
        long n = input.shape[0], steps = input.shape[1];
        var x = input;
        if (training && Dropout > 0)
        {
            using var keep = empty(n, 1, input.shape[2], dtype: input.dtype).bernoulli_(1 - Dropout);
            x = input.mul(keep).div_(1 - Dropout);
        }
        // The input part of every gate for every step in one matrix product: [N, T, gates·units].
        var projected = InputBias is { } inputBias ? x.matmul(Kernel).add_(inputBias, Scalars.One) : x.matmul(Kernel);
        Tensor? recurrentKeep = training && RecurrentDropout > 0
            ? empty(n, Units, dtype: input.dtype).bernoulli_(1 - RecurrentDropout).div_(1 - RecurrentDropout) : null;
        // One view per step from unbind: its backward stacks the step gradients once, where select(1, t) would
        // allocate and add a gradient the size of the whole sequence at every step (measured: 6x slower backward).
        var perStep = projected.unbind(1);
        var h = zeros(n, Units, dtype: input.dtype);
        var carry = InitialCarry(n, input.dtype);
        var states = ReturnSequences ? new List<Tensor>((int)steps) : null;
        var keepStep = mask?.unsqueeze(-1).unbind(1);
        for (long t = 0; t < steps; t++)
        {
            var previousCarry = carry;
            var next = Step(perStep[t], recurrentKeep is null ? h : h.mul(recurrentKeep), h, ref carry);
            if (keepStep is not null)
            {
                next = where(keepStep[t], next, h);
                if (carry is not null) carry = where(keepStep[t], carry, previousCarry!);
            }
            h = next;
            states?.Add(h);
        }
        return states is null ? h : stack(states, 1);
    }

    /// <summary>The saved settings (what <see cref="LSTM"/> and <see cref="GRU"/> share; GRU adds reset_after).</summary>
    protected RecurrentConfig CommonConfig() =>
        new(Units, Activation.Name, RecurrentActivation.Name, UseBias, ReturnSequences, Dropout, RecurrentDropout);

    /// <inheritdoc />
    public override bool KerasWeightsInCell => true;

    /// <summary>The ONNX recurrent operator and its inputs W, R, B (ONNX's gate order and shapes) and attributes; null when the type has none.</summary>
    internal virtual (string Op, Tensor W, Tensor R, Tensor? B, Interop.Onnx.OnnxAttribute[] Attributes)? OnnxRecurrent() => null;

    /// <summary>ONNX's name for an activation inside a recurrent operator (the subset ONNX Runtime runs), or null.</summary>
    private protected static string? OnnxActivationName(ActivationFunction f) => f.Name switch
    {
        "sigmoid" => "Sigmoid", "tanh" => "Tanh", "relu" => "Relu", "softsign" => "Softsign", "softplus" => "Softplus", "elu" => "Elu", _ => null,
    };

    /// <summary>The ONNX <c>activations</c> attribute for <paramref name="functions"/>, or none for ONNX's defaults (<paramref name="defaults"/>).</summary>
    private protected Interop.Onnx.OnnxAttribute[] OnnxActivations(ActivationFunction[] functions, string[] defaults)
    {
        var names = functions.Select(f => OnnxActivationName(f) ?? throw Interop.Onnx.OnnxGraph.Refuse(this, $"its activation '{f.Name}' has no ONNX recurrent form",
            "Use sigmoid, tanh, relu, softsign, softplus or elu as (recurrent) activation.")).ToArray();
        return names.SequenceEqual(defaults) ? [] : [new("activations", names)];
    }

    /// <inheritdoc />
    public override string[] ToOnnx(Interop.Onnx.OnnxGraph graph, string[] inputs)
    {
        if (graph.MaskOf(inputs[0]) is not null)
            throw Interop.Onnx.OnnxGraph.Refuse(this, "its input carries a padding mask (from Embedding(maskZero: true)), which makes padded steps keep the state; "
                + "ONNX's recurrent operators cannot skip arbitrary steps", "Export a model whose Embedding has maskZero: false (retrain it so), or save it as .tnmodel.");
        if (OnnxRecurrent() is not { } form) return base.ToOnnx(graph, inputs);
        using var scope = NewDisposeScope();
        var x = graph.Transpose(inputs[0], 1, 0, 2); // ONNX runs [steps, batch, features]
        string[] args = [x, graph.Initializer(form.W, "W"), graph.Initializer(form.R, "R"), .. form.B is null ? Array.Empty<string>() : [graph.Initializer(form.B, "B")]];
        var outputs = graph.Node(form.Op, args, 2, [new("hidden_size", (long)Units), .. form.Attributes]);
        if (!ReturnSequences) return [graph.Node("Squeeze", [outputs[1], graph.Int64s([0], "axes")])]; // Y_h [1, N, U]
        var y = graph.Node("Squeeze", [outputs[0], graph.Int64s([1], "axes")]); // Y [T, 1, N, U]
        return [graph.Transpose(y, 1, 0, 2)];
    }
}
