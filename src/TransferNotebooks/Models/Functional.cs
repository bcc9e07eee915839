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
        Layers = new LayerList(layers);
        Output = outputs;
        Trace(outputs);
    }

    /// <summary>Finds the layer calls between the input and <paramref name="outputs"/>, in the order they run.</summary>
    void Trace(KerasTensor outputs)
    {
        nodes.Clear();
        layers.Clear();
        Output = outputs;
        var slotOf = new Dictionary<KerasTensor, int>(ReferenceEqualityComparer.Instance) { [Input] = 0 };
        var calls = new Dictionary<Layer, int>(ReferenceEqualityComparer.Instance);
        slots = 1;
        Visit(outputs, slotOf, calls);
        var taken = new Dictionary<string, Layer>(StringComparer.Ordinal) { [Input.InputName!] = null! };
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

    /// <inheritdoc />
    public override string Name { get; set; }

    /// <summary>The symbolic input the model was built from.</summary>
    public KerasTensor Input { get; }

    /// <summary>The symbolic output.</summary>
    public KerasTensor Output { get; private set; }

    /// <summary>The layers in the order they first run (a layer called twice appears once), by index or name.</summary>
    public override LayerList Layers { get; }

    /// <summary>The per-sample input shape (Keras convention).</summary>
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
    private protected override void ReplaceHeadCore(int units, string? activation, string? name)
    {
        var head = nodes[^1];
        if (nodes.Count(n => ReferenceEquals(n.Layer, head.Layer)) > 1)
            throw new InvalidOperationException($"The output layer '{head.Layer.Name}' is also used elsewhere in the graph; build the new head with the functional API instead.");
        var fresh = Transfer.HeadSurgery.NewHead(head.Layer, units, activation, name);
        var output = fresh.CallSymbolic(head.Output.Inputs, head.Training);
        head.Layer.Dispose();
        Trace(output);
    }

    /// <summary>Frees the optimizer state and the weights of the model's own layers (a nested model is its owner's to dispose).</summary>
    public override void Dispose() => base.Dispose();
}
