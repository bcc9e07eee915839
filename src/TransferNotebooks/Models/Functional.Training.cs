using System.Runtime.CompilerServices;
using TransferNotebooks.Losses;
using TransferNotebooks.Metrics;
using TransferNotebooks.Layers;
using TransferNotebooks.Optimizers;
using TransferNotebooks.Training;
using static TorchSharp.torch;

namespace TransferNotebooks.Models;

// What the training loop asks of a model (ITrainableModel), on a graph: the forward pass runs the nodes in order with mask routing
// and the output layer's loss fusion (shared with Sequential through ModelCore); a layer called twice contributes its parameters once,
// so autograd adds the gradients of both paths. Also: the model as a layer (INestedModel), and saving.
public sealed partial class Functional : INestedModel
{
    ModelLayer? asLayer;

    /// <summary>Runs the model on a batch in Keras layout (images channels last); returns its outputs.</summary>
    public override Tensor Call(Tensor x, bool training = false)
    {
        using var scope = NewDisposeScope();
        Validate(x, null);
        return Forward(PrepareInput(x), training, forLoss: false).Output.MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override ModelOutput Forward(Tensor x, bool training, bool forLoss)
    {
        var values = new Tensor?[slots];
        var masks = new Tensor?[slots];
        if (Inputs.Count == 1) values[0] = x;
        else
        {
            var parts = PackedInputs.Unpack(x, Inputs.Select(i => i.ShapeArray).ToList());
            for (int i = 0; i < parts.Length; i++)
                values[i] = ModelCore.PrepareInput(parts[i], FirstConsumer(i), Inputs[i].ShapeArray, _ => Inputs[i].ShapeArray);
        }
        for (int i = 0; ; i++)
        {
            var node = nodes[i];
            var layer = node.Layer;
            bool t = (node.Training ?? training) && Trains(layer);
            if (Outputs.Count > 1)
            {
                values[node.Slot] = Run(node, t, values, masks);
                if (i < nodes.Count - 1) continue;
                // Several outputs: side by side in one row per sample, as the targets are packed (see MultiOutputLoss, PredictOutputs).
                long n = values[outputSlots[0]]!.shape[0];
                return new ModelOutput(cat(outputSlots.Select(s => (values[s]!.dim() == 4 ? ImageLayout.ToChannelsLast(values[s]!) : values[s]!).reshape(n, -1)).ToList(), 1), OutputForm.Probabilities, null);
            }
            if (i == nodes.Count - 1)
                return ModelCore.Output(compiled.Loss, forLoss, layer, () => Run(node, t, values, masks),
                    () => layer.CallWithoutActivation(values[node.Inbound[0]]!, t));
            values[node.Slot] = Run(node, t, values, masks);
        }
    }

    static Tensor Run(Node node, bool training, Tensor?[] values, Tensor?[] masks)
    {
        if (node.Inbound.Count() > 1) return node.Layer.Call(node.Inbound.Select(s => values[s]!).ToList(), training);
        var h = values[node.Inbound[0]]!;
        var mask = masks[node.Inbound[0]];
        var y = node.Layer.Call(h, training, mask);
        masks[node.Slot] = node.Layer.ComputeMask(h, mask);
        return y;
    }

    /// <summary>The layers that receive input <paramref name="input"/> of the model.</summary>
    IEnumerable<Layer> InputConsumers(int input = 0) => nodes.Where(n => n.Inbound.Contains(input)).Select(n => n.Layer).Distinct();

    /// <summary>The layer whose input rules (dtype, hints) apply to input <paramref name="input"/>.</summary>
    Layer FirstConsumer(int input) => InputConsumers(input).FirstOrDefault(l => l.InputDType is not null) ?? InputConsumers(input).First();

    Layer FirstLayer => FirstConsumer(0);

    /// <summary>
    /// A batch in Keras layout to what the first layers take. Several inputs arrive packed (one row per sample, see
    /// <see cref="PackedInputs"/>) and are cut and prepared in <see cref="Forward"/>.
    /// </summary>
    public override Tensor PrepareInput(Tensor x) => Inputs.Count == 1 ? ModelCore.PrepareInput(x, FirstLayer, Input.ShapeArray, _ => Input.ShapeArray) : x;

    /// <inheritdoc />
    public override void Validate(Tensor x, Tensor? y)
    {
        if (Inputs.Count == 1)
        {
            ModelCore.Validate(x, y, y is null ? null : TrainingLoss, t => { foreach (var l in InputConsumers()) l.CheckInput(t); }, _ => { }, () => Output.ShapeArray, nodes[^1].Layer.Name);
            return;
        }
        var shapes = Inputs.Select(i => i.ShapeArray).ToList();
        long width = PackedInputs.Width(shapes);
        if (x.dim() != 2 || x.shape[1] != width)
            throw new ArgumentException($"Model '{Name}' takes {Inputs.Count} inputs ({string.Join(", ", Inputs.Select(i => $"'{i.InputName}' {Layer.ShapeText(i.ShapeArray)}"))}) "
                + "but was given one tensor. Pass one tensor per input, in that order: model.Fit(new[] { a, b }, y), model.Predict(new[] { a, b }).");
        ModelCore.Validate(x, y, y is null ? null : TrainingLoss, t =>
        {
            var parts = PackedInputs.Unpack(t, shapes);
            for (int i = 0; i < parts.Length; i++)
            {
                using var typed = FirstConsumer(i).InputDType is { } dtype ? parts[i].to_type(dtype) : parts[i].alias();
                foreach (var l in InputConsumers(i)) l.CheckInput(typed);
            }
        }, _ => { }, () => Output.ShapeArray, nodes[^1].Layer.Name);
    }



    // ---------------------------------------------------------------- several outputs

    MultiOutputLoss? multiLoss;

    /// <summary>With several outputs: the compiled loss applied to each output, the losses added (Keras's default loss weights of 1).</summary>
    private protected override Loss TrainingLoss
    {
        get
        {
            var loss = Loss;
            if (Outputs.Count == 1) return loss;
            if (multiLoss is null || !ReferenceEquals(multiLoss.Losses[0], loss))
                multiLoss = new MultiOutputLoss(Outputs.Select(_ => loss).ToList(), Outputs.Select(_ => 1.0).ToList(),
                    Outputs.Select(o => o.ShapeArray).ToList(), Outputs.Select(OutputName).ToList());
            return multiLoss;
        }
    }

    /// <summary>With several outputs: each compiled metric per output, named as Keras names it (<c>digit_accuracy</c>).</summary>
    private protected override IReadOnlyList<Metric> CreateTrainingMetrics()
    {
        if (Outputs.Count == 1) return CreateMetrics();
        var split = (MultiOutputLoss)TrainingLoss;
        return Outputs.SelectMany((o, i) => CreateMetrics().Select(m => (Metric)new OutputMetric(m, split, i, OutputName(o)))).ToList();
    }

    /// <summary>An output's name: the layer that makes it (with its call index when that layer makes several outputs).</summary>
    string OutputName(KerasTensor output) => output.IsInput ? output.InputName! : output.Layer!.Name!;

    /// <summary>The per-sample shape of each output.</summary>
    public IReadOnlyList<int[]> OutputShapes => Outputs.Select(o => o.ShapeArray.ToArray()).ToList();

    /// <summary>
    /// One tensor per output (Keras's <c>predict</c> of a model with several outputs), in inference mode. <see cref="KerasModel.Predict(Tensor, int)"/>
    /// returns the same values side by side, one row per sample.
    /// </summary>
    public Tensor[] PredictOutputs(Tensor x, int batchSize = 32)
    {
        using var packed = Predict(x, batchSize);
        return Unpacked(packed);
    }

    /// <summary>One tensor per output, for a model with several inputs (one tensor per input).</summary>
    public Tensor[] PredictOutputs(Tensor[] x, int batchSize = 32)
    {
        using var packed = Predict(x, batchSize);
        return Unpacked(packed);
    }

    Tensor[] Unpacked(Tensor packed)
    {
        if (Outputs.Count == 1) return [packed.alias()];
        var parts = PackedInputs.Unpack(packed, Outputs.Select(o => o.ShapeArray).ToList());
        return parts.Select(p => p.contiguous()).ToArray();
    }

    // ---------------------------------------------------------------- the model as a layer

    int[]? INestedModel.InputShape => InputShape;
    int[]? INestedModel.OutputShape => OutputShape;
    IReadOnlyList<Layer> INestedModel.AllLayers => layers;
    Layer INestedModel.FirstLayer => FirstLayer;

    int[] INestedModel.BuildFor(int[] inputShape) => Inputs.Count > 1 || Outputs.Count > 1
        ? throw new NotSupportedException($"Model '{Name}' has {Inputs.Count} inputs and {Outputs.Count} outputs; only models with one input and one output can be called as a layer here.")
        : Input.ShapeArray.SequenceEqual(inputShape) ? OutputShape
        : throw new ArgumentException($"Model '{Name}' takes inputs of shape {Layer.ShapeText(Input.ShapeArray)}, not {Layer.ShapeText(inputShape)}.");

    void INestedModel.SetTrainable(bool trainable)
    {
        if (trainable) Unfreeze(); else Freeze();
    }

    ModelLayer INestedModel.AsLayer() => asLayer ??= new ModelLayer(this);

    // ---------------------------------------------------------------- saving

    /// <inheritdoc />
    private protected override void SaveKerasFile(string path) => KerasImport.KerasFunctionalWriter.Save(this, path);
}
