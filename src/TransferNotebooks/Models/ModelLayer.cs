using System.Runtime.CompilerServices;
using System.Text.Json.Serialization;
using TransferNotebooks.Layers;
using TransferNotebooks.Optimizers;
using TransferNotebooks.Training;
using static TorchSharp.torch;
using TransferNotebooks.Interop.PyTorch;

namespace TransferNotebooks.Models;

/// <summary>What a model offers when it is used as a layer of a functional model (<see cref="ModelLayer"/>).</summary>
internal interface INestedModel : ITrainableModel
{
    string Name { get; }
    int[]? InputShape { get; }
    int[]? OutputShape { get; }
    /// <summary>The model's distinct layers.</summary>
    IReadOnlyList<Layer> AllLayers { get; }
    /// <summary>The layer that receives the model's input (its dtype, checks and hints).</summary>
    Layer FirstLayer { get; }
    /// <summary>Builds the model for a per-sample input shape when it is not built yet; returns its output shape.</summary>
    int[] BuildFor(int[] inputShape);
    /// <summary>Freezes (false) or unfreezes (true) every layer, through the model (so Summary can show drift).</summary>
    void SetTrainable(bool trainable);
    /// <summary>The one layer view of this model.</summary>
    ModelLayer AsLayer();
}

/// <summary>A nested model's saved settings in a functional model's layer list: its name (the model's own config is stored beside it).</summary>
public sealed record ModelLayerConfig(string? Name = null);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ModelLayerConfig))]
internal sealed partial class ModelLayerJson : JsonSerializerContext;

/// <summary>
/// A model used as a layer of a functional model (Keras: a model is a layer): <c>var x = baseModel.Call(inputs, training: false);</c>
/// makes one. Its weights are the model's own (shared, not copied). Setting <see cref="Layer.Trainable"/> freezes or unfreezes every
/// layer of the model, as Keras's <c>base_model.trainable = False</c>. Called with <c>training: false</c>, the model runs in inference
/// mode inside training (BatchNormalization uses and keeps its moving statistics, Dropout is off); otherwise it follows the outer call.
/// </summary>
public sealed class ModelLayer : Layer
{
    readonly INestedModel model;

    internal ModelLayer(INestedModel model) : base(model.Name, null)
    {
        this.model = model;
        Registered = model.AllLayers.ToArray();
        foreach (var l in Registered) register_module(l.Name!, l);
        if (model.InputShape is { } shape && model.OutputShape is not null) Build(shape);
    }

    /// <summary>The model's layers when this view was made (its weights are theirs).</summary>
    internal IReadOnlyList<Layer> Registered { get; }

    /// <summary>The model this layer runs (a <see cref="Sequential"/> or a <see cref="Functional"/>).</summary>
    public ITrainableModel Model => model;

    /// <summary>The nested model's layers.</summary>
    public IReadOnlyList<Layer> Layers => model.AllLayers;

    /// <summary>The layer type of a nested Sequential (not in the registry: nested models are saved and loaded by their model).</summary>
    public static LayerType SequentialType { get; } = LayerType.Of<ModelLayer, ModelLayerConfig>("Sequential", ModelLayerJson.Default.ModelLayerConfig,
        l => new(l.Name), (c, name, shape) => throw new NotSupportedException($"Nested model '{name}' loads with its enclosing model (Model.Load)."));

    /// <summary>The layer type of a nested functional model.</summary>
    public static LayerType FunctionalType { get; } = LayerType.Of<ModelLayer, ModelLayerConfig>("Functional", ModelLayerJson.Default.ModelLayerConfig,
        l => new(l.Name), (c, name, shape) => throw new NotSupportedException($"Nested model '{name}' loads with its enclosing model (Model.Load)."));

    /// <inheritdoc />
    public override LayerType LayerType => model is Sequential ? SequentialType : FunctionalType;

    /// <summary>The nested model as its own Python class in model.py (its layers' weights under <c>model.layer.weight</c>, as here).</summary>
    internal override PyTorchCode ToPyTorch(PyTorchContext context) => new($"{context.ModelClass(model)}()", $"{context.Self}.call({context.X})");

    /// <inheritdoc />
    protected override int[] BuildCore(int[] inputShape) => model.BuildFor(inputShape);

    /// <summary>Runs the model on internal-layout values (images [N, C, H, W]), as its layers see them.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override Tensor Call(Tensor input, bool training) => model.Forward(input, training, forLoss: false).Output;

    /// <inheritdoc />
    protected override void OnTrainableChanged(bool trainable) => model.SetTrainable(trainable);

    /// <inheritdoc />
    public override ScalarType? InputDType => model.FirstLayer.InputDType;

    /// <inheritdoc />
    public override void CheckInput(Tensor input) => model.FirstLayer.CheckInput(input);

    /// <inheritdoc />
    public override string? InputHint(int[] perSampleShape) => model.FirstLayer.InputHint(perSampleShape);

    /// <summary>The nested model's parameters that train this step (its own freezing and learning-rate multipliers apply).</summary>
    public override IEnumerable<ParameterGroup> TrainableParameterGroups() => model.TrainableParameterGroups();

    /// <summary>A nested model always runs in the outer mode; its own layers decide whether they train (their freezing applies).</summary>
    public override bool UpdatesWhenFrozen(bool keepTrainingNormalization) => true;

    /// <summary>Trainable scalar weights of the nested model, layer by layer (0 when it is frozen as a whole).</summary>
    public override long TrainableParameterCount => model.AllLayers.Sum(l => l.TrainableParameterCount);

    /// <summary>The nested model's own resources are its owner's to dispose: this view frees nothing of them.</summary>
    protected override void Dispose(bool disposing) { }

    /// <inheritdoc />
    public override string[] ToOnnx(Interop.Onnx.OnnxGraph graph, string[] inputs) => [Interop.Onnx.OnnxExport.Inline(graph, model, inputs[0])];
}
