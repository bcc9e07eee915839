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
/// <remarks>One or several inputs, one output. Data layout is Keras's, as for <see cref="Sequential"/>.</remarks>
public sealed partial class Functional : KerasModel<Functional>
{
    /// <summary>One layer call of the graph: the layer, the value slots it reads, the slot it writes, its fixed mode.</summary>
    internal sealed record Node(Layer Layer, int[] Inbound, int Slot, bool? Training, int CallIndex, KerasTensor Output);

    readonly List<Node> nodes = [];
    readonly List<Layer> layers = [];
    int slots;

    /// <summary>Creates the model from the graph between <paramref name="inputs"/> (made by <see cref="Keras.Input"/>) and <paramref name="outputs"/>.</summary>
    /// <exception cref="ArgumentException">The input is not an Input, the output is not computed from it, or two layers share a name.</exception>
    public Functional(KerasTensor inputs, KerasTensor outputs, string name = "functional")
        : this([inputs ?? throw new ArgumentNullException(nameof(inputs))], outputs, name) { }

    /// <summary>
    /// Creates a model with several inputs (Keras's <c>keras.Model([a, b], outputs)</c>): <c>new Functional([image, extra], outputs)</c>.
    /// Fit, Evaluate and Predict then take one tensor per input, in this order: <c>model.Fit(new[] { images, extras }, y)</c>.
    /// </summary>
    /// <exception cref="ArgumentException">An input is not an Input or is given twice, the output is not computed from the inputs, or two layers share a name.</exception>
    public Functional(IEnumerable<KerasTensor> inputs, KerasTensor outputs, string name = "functional")
        : this(inputs, [outputs ?? throw new ArgumentNullException(nameof(outputs))], name) { }

    /// <summary>
    /// Creates a model with several outputs (Keras's <c>keras.Model(inputs, [digit, parity])</c>): the compiled loss applies to each
    /// output and the losses add; metrics are reported per output (<c>digit_accuracy</c>). Fit takes one target tensor per output,
    /// <see cref="PredictOutputs(Tensor, int)"/> returns one tensor per output.
    /// </summary>
    public Functional(KerasTensor inputs, IEnumerable<KerasTensor> outputs, string name = "functional")
        : this([inputs ?? throw new ArgumentNullException(nameof(inputs))], outputs, name) { }

    /// <summary>Creates a model with several inputs and several outputs (see the other constructors).</summary>
    /// <exception cref="ArgumentException">An input is not an Input or is given twice, an output is not computed from the inputs, or two layers share a name.</exception>
    public Functional(IEnumerable<KerasTensor> inputs, IEnumerable<KerasTensor> outputs, string name = "functional")
    {
        NativeSetup.EnsureTorch();
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(outputs);
        var outs = outputs.ToList();
        if (outs.Count == 0) throw new ArgumentException("The model needs at least one output: a tensor made by calling a layer on the inputs.", nameof(outputs));
        if (outs.Any(o => o is null)) throw new ArgumentNullException(nameof(outputs), "An output of the model is null.");
        if (outs.Distinct(ReferenceEqualityComparer.Instance).Count() < outs.Count)
            throw new ArgumentException("The same output tensor is given twice: give each output of the model once.", nameof(outputs));
        var list = inputs.ToList();
        if (list.Count == 0) throw new ArgumentException("The model needs at least one input: var inputs = Input([28, 28, 1]); ... new Functional(inputs, outputs).", nameof(inputs));
        foreach (var input in list)
        {
            if (input is null) throw new ArgumentNullException(nameof(inputs), "An input of the model is null.");
            if (!input.IsInput)
                throw new ArgumentException($"The model's input must be a tensor made by Keras.Input(shape), but it is the output of {input.Origin}. "
                    + "Pass the Input the graph starts from: var inputs = Input([28, 28, 1]); ... new Functional(inputs, outputs).", nameof(inputs));
            if (outs.Any(o => ReferenceEquals(input, o)))
                throw new ArgumentException("The model's output is its input: call at least one layer on the input first.", nameof(outputs));
        }
        if (list.Distinct(ReferenceEqualityComparer.Instance).Count() < list.Count)
            throw new ArgumentException("The same Input is given twice: give each input of the model once.", nameof(inputs));
        Name = name;
        Inputs = list;
        Layers = new LayerList(layers);
        Trace(outs);
        var unused = list.FirstOrDefault(i => !nodes.Any(n => n.Output.Inputs.Contains(i)));
        if (unused is not null)
            throw new ArgumentException($"The input '{unused.InputName}' {Layer.ShapeText(unused.ShapeArray)} does not reach the output: call layers on it, or leave it out of the inputs.", nameof(inputs));
    }

    /// <summary>Finds the layer calls between the inputs and <paramref name="outputs"/>, in the order they run.</summary>
    void Trace(IReadOnlyList<KerasTensor> outputs)
    {
        nodes.Clear();
        layers.Clear();
        Outputs = outputs;
        var slotOf = new Dictionary<KerasTensor, int>(ReferenceEqualityComparer.Instance);
        for (int i = 0; i < Inputs.Count; i++) slotOf[Inputs[i]] = i;
        var calls = new Dictionary<Layer, int>(ReferenceEqualityComparer.Instance);
        slots = Inputs.Count;
        foreach (var o in outputs) Visit(o, slotOf, calls);
        outputSlots = outputs.Select(o => slotOf[o]).ToArray();
        var taken = new Dictionary<string, Layer>(StringComparer.Ordinal);
        foreach (var i in Inputs)
        {
            if (taken.ContainsKey(i.InputName!) && i.AutoNamed)
            {
                var name = "input_layer";
                for (int k = 1; taken.ContainsKey(name); k++) name = $"input_layer_{k}";
                i.InputName = name;
            }
            if (!taken.TryAdd(i.InputName!, null!))
                throw new ArgumentException($"Two inputs of the model are named '{i.InputName}': give one another name (Input(shape, name: \"...\")).");
        }
        foreach (var l in layers)
        {
            // Branches built from different inputs name their layers apart (conv2d in each) until a merge joins them; as in Keras,
            // a model's layer names are unique, so a default-named layer that collides takes the next free default name.
            if (taken.ContainsKey(l.Name!) && l.AutoNamed)
            {
                var baseName = l.LayerType.DefaultName;
                var name = baseName;
                for (int i = 1; taken.ContainsKey(name); i++) name = $"{baseName}_{i}";
                l.Name = name;
            }
            if (!taken.TryAdd(l.Name!, l))
                throw new ArgumentException($"Two layers of the model are named '{l.Name}': give one another name (name: \"...\"); layer names identify weights in saved files.");
        }
    }

    void Visit(KerasTensor t, Dictionary<KerasTensor, int> slotOf, Dictionary<Layer, int> calls)
    {
        if (slotOf.ContainsKey(t)) return;
        if (t.IsInput)
            throw new ArgumentException($"The output is not connected to the model's inputs ({string.Join(", ", Inputs.Select(i => $"'{i.InputName}' {Layer.ShapeText(i.ShapeArray)}"))}): "
                + $"it is computed from another input, '{t.InputName}' {Layer.ShapeText(t.ShapeArray)}. Build the layers on the Inputs you pass to the model, "
                + "or pass that input too: new Functional([a, b], outputs).");
        foreach (var i in t.Inputs) Visit(i, slotOf, calls);
        var layer = t.Layer!;
        int call = calls.TryGetValue(layer, out var c) ? c + 1 : 0;
        calls[layer] = call;
        if (call == 0) layers.Add(layer);
        slotOf[t] = slots++;
        nodes.Add(new Node(layer, t.Inputs.Select(i => slotOf[i]).ToArray(), slotOf[t], t.Training, call, t));
    }

    /// <inheritdoc />
    public override string Name { get; set; }

    /// <summary>The symbolic input the model was built from (the first, when it has several: see <see cref="Inputs"/>).</summary>
    public KerasTensor Input => Inputs[0];

    /// <summary>The symbolic inputs, in the order Fit, Evaluate and Predict take their tensors.</summary>
    public IReadOnlyList<KerasTensor> Inputs { get; }

    /// <summary>The symbolic output (the first, when the model has several: see <see cref="Outputs"/>).</summary>
    public KerasTensor Output => Outputs[0];

    /// <summary>The symbolic outputs, in the order Fit takes their targets and <see cref="PredictOutputs(Tensor, int)"/> returns them.</summary>
    public IReadOnlyList<KerasTensor> Outputs { get; private set; } = [];

    /// <summary>The value slot of each output.</summary>
    int[] outputSlots = [];

    /// <summary>The layers in the order they first run (a layer called twice appears once), by index or name.</summary>
    public override LayerList Layers { get; }

    /// <summary>The per-sample input shape (Keras convention); for several inputs, the first one's (see <see cref="Inputs"/>).</summary>
    public override int[] InputShape => Input.ShapeArray.ToArray();

    /// <summary>The per-sample output shape.</summary>
    public override int[] OutputShape => Output.ShapeArray.ToArray();

    /// <summary>Always true: layers are built when they are called on symbolic tensors.</summary>
    public bool Built => true;

    /// <inheritdoc />
    private protected override IReadOnlyList<Layer> OwnLayers => layers;

    /// <summary>The layer calls in the order they run.</summary>
    internal IReadOnlyList<Node> Nodes => nodes;

    // ---------------------------------------------------------------- summary

    /// <summary>Keras's <c>summary()</c>: the input, then one row per layer with its output shape, parameters, trainable flag and the layers it is connected to.</summary>
    public override ModelSummary Summary()
    {
        var rows = Inputs.Select(i => new LayerSummary(i.InputName!, "InputLayer", Layer.ShapeText(i.ShapeArray), 0, true, null, "-")).ToList();
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
    private protected override void ReplaceHeadCore(int units, string? activation, string? name)
    {
        if (Outputs.Count > 1) throw new InvalidOperationException($"Model '{Name}' has {Outputs.Count} outputs: build the new heads with the functional API instead of ReplaceHead.");
        var head = nodes[^1];
        if (nodes.Count(n => ReferenceEquals(n.Layer, head.Layer)) > 1)
            throw new InvalidOperationException($"The output layer '{head.Layer.Name}' is also used elsewhere in the graph; build the new head with the functional API instead.");
        var fresh = Transfer.HeadSurgery.NewHead(head.Layer, units, activation, name);
        var output = fresh.CallSymbolic(head.Output.Inputs, head.Training);
        head.Layer.Dispose();
        Trace([output]);
    }

    /// <summary>Frees the optimizer state and the weights of the model's own layers (a nested model is its owner's to dispose).</summary>
    public override void Dispose() => base.Dispose();
}
