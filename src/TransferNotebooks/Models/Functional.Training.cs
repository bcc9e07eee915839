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
    public Tensor Call(Tensor x, bool training = false)
    {
        using var scope = NewDisposeScope();
        Validate(x, null);
        return Forward(PrepareInput(x), training, forLoss: false).Output.MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public ModelOutput Forward(Tensor x, bool training, bool forLoss)
    {
        var values = new Tensor?[slots];
        var masks = new Tensor?[slots];
        values[0] = x;
        for (int i = 0; ; i++)
        {
            var node = nodes[i];
            var layer = node.Layer;
            bool t = (node.Training ?? training) && Trains(layer);
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

    /// <summary>Layers train when trainable, kept training by the BatchNormalization policy, or (nested models) deciding for their own layers.</summary>
    bool Trains(Layer l) => ModelCore.Trains(l, FrozenBatchNorm);

    /// <summary>The layers that receive the model's input.</summary>
    IEnumerable<Layer> InputConsumers => nodes.Where(n => n.Inbound.Contains(0)).Select(n => n.Layer).Distinct();

    Layer FirstLayer => InputConsumers.FirstOrDefault(l => l.InputDType is not null) ?? nodes[0].Layer;

    /// <inheritdoc />
    public Tensor PrepareInput(Tensor x) => ModelCore.PrepareInput(x, FirstLayer, Input.ShapeArray, _ => Input.ShapeArray);

    /// <inheritdoc />
    public void Validate(Tensor x, Tensor? y) =>
        ModelCore.Validate(x, y, compiled.Loss, t => { foreach (var l in InputConsumers) l.CheckInput(t); }, _ => { }, () => Output.ShapeArray, nodes[^1].Layer.Name);

    /// <inheritdoc />
    public IReadOnlyList<ParameterGroup> TrainableParameterGroups() =>
        layers.Where(Trains).SelectMany(l => l.TrainableParameterGroups()).ToList();


    // ---------------------------------------------------------------- the model as a layer

    /// <summary>Calls the model on a symbolic tensor inside another functional model (its weights are shared).</summary>
    public KerasTensor Call(KerasTensor input) => ((INestedModel)this).AsLayer().Call(input);

    /// <summary>Calls the model on a symbolic tensor with a fixed mode (<c>training: false</c>: inference mode inside training, as Keras).</summary>
    public KerasTensor Call(KerasTensor input, bool training) => ((INestedModel)this).AsLayer().Call(input, training);

    int[]? INestedModel.InputShape => InputShape;
    int[]? INestedModel.OutputShape => OutputShape;
    IReadOnlyList<Layer> INestedModel.AllLayers => layers;
    Layer INestedModel.FirstLayer => FirstLayer;

    int[] INestedModel.BuildFor(int[] inputShape) => Input.ShapeArray.SequenceEqual(inputShape) ? OutputShape
        : throw new ArgumentException($"Model '{Name}' takes inputs of shape {Layer.ShapeText(Input.ShapeArray)}, not {Layer.ShapeText(inputShape)}.");

    void INestedModel.SetTrainable(bool trainable)
    {
        if (trainable) Unfreeze(); else Freeze();
    }

    ModelLayer INestedModel.AsLayer() => asLayer ??= new ModelLayer(this);

    // ---------------------------------------------------------------- saving

    /// <summary>
    /// Saves the graph (layers, their configs and calls), weights, trainable flags and compile settings in this library's format,
    /// atomically; load it back with <see cref="Model.LoadFunctional"/>. Nested Sequential and functional models are saved inside.
    /// <c>model.Save("model.onnx")</c> (or <see cref="ModelFormat.Onnx"/>) writes an ONNX graph for ONNX Runtime instead (see docs/interop.md).
    /// </summary>
    /// <param name="path">The file (<c>.tnmodel</c> by convention; <c>.onnx</c> for ONNX).</param>
    /// <param name="format"><see cref="ModelFormat.Auto"/> (by extension), <see cref="ModelFormat.TransferNotebooks"/> or <see cref="ModelFormat.Onnx"/>.</param>
    /// <exception cref="NotSupportedException">Keras format (not written for functional models yet), or ONNX with a layer that has no ONNX form.</exception>
    public void Save(string path, ModelFormat format = ModelFormat.Auto)
    {
        if (format == ModelFormat.Auto) format = Sequential.FormatOf(path);
        switch (format)
        {
            case ModelFormat.Onnx: Interop.Onnx.OnnxExport.Save(this, path); break;
            case ModelFormat.Keras:
                throw new NotSupportedException($"Writing Keras files of functional models is not supported yet; save '{path}' as a {Model.Extension} file (or .onnx to serve it).");
            default: ModelFile.Save(this, path); break;
        }
    }

    /// <summary>The callbacks' save (ModelCheckpoint): by extension, as <see cref="Save"/>.</summary>
    void ITrainableModel.Save(string path) => Save(path);

    /// <summary>Saves only the weights, as a safetensors file (atomically).</summary>
    public void SaveWeights(string path) => Data.AtomicFile.Write(path, s => SafeTensors.Write(s, NamedWeights()));

    /// <summary>Loads weights saved by <see cref="SaveWeights"/>.</summary>
    public LoadWeightsReport LoadWeights(string path, bool strict = true, bool skipMismatch = false)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"No weights file at '{path}'.", path);
        Dictionary<string, Tensor> weights;
        using (var s = File.OpenRead(path)) weights = SafeTensors.Read(s, path);
        try { return WeightsIO.Assign(NamedWeights(), weights, strict, skipMismatch, path); }
        finally { foreach (var t in weights.Values) t.Dispose(); }
    }
}
