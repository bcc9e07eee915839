using TorchSharp;
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
/// A linear stack of layers with Keras's workflow: <see cref="Add"/>, <c>Compile</c>,
/// <c>Fit</c>,
/// <c>Evaluate</c>, <c>Predict</c>, <see cref="Summary"/>, plus freezing for transfer learning.
/// </summary>
/// <remarks>
/// Data layout is Keras's: images [N, H, W] or [N, H, W, C] (channels last). Converting to torch's channels-first happens once per
/// call at the model input, not per layer. Weights are created when the input shape is known: at <see cref="Add"/> when the first
/// layer declares <c>inputShape</c>, else at the first data.
/// </remarks>
public sealed partial class Sequential : KerasModel<Sequential>
{
    readonly List<Layer> layers = [];

    /// <summary>Creates a model from layers (F# lists and C# collection expressions pass straight in).</summary>
    public Sequential(IEnumerable<Layer> layers, string name = "sequential")
    {
        NativeSetup.EnsureTorch();
        Name = name;
        Layers = new LayerList(this.layers);
        foreach (var l in layers) Add(l);
    }

    /// <summary>Creates a model from layers: <c>new Sequential(Flatten(inputShape: [28, 28]), Dense(10, activation: "softmax"))</c>.</summary>
    public Sequential(params Layer[] layers) : this((IEnumerable<Layer>)layers) { }

    /// <inheritdoc />
    public override string Name { get; set; }

    /// <inheritdoc />
    public override LayerList Layers { get; }

    /// <summary>The per-sample input shape (Keras convention), once known.</summary>
    public override int[]? InputShape => layers.Count > 0 ? layers[0].InputShape ?? layers[0].DeclaredInputShape : null;

    /// <summary>The per-sample output shape, once built.</summary>
    public override int[]? OutputShape => layers.Count > 0 ? layers[^1].OutputShape : null;

    /// <summary>True when every layer has its weights.</summary>
    public bool Built => layers.Count > 0 && layers.All(l => l.Built);

    /// <summary>Appends a layer (auto-named if unnamed) and builds it when the input shape is known. Returns the model, for chaining.</summary>
    /// <exception cref="ArgumentException">The layer cannot take the previous layer's output, or its name is taken.</exception>
    public Sequential Add(Layer layer)
    {
        ArgumentNullException.ThrowIfNull(layer);
        if (layers.Contains(layer)) throw new ArgumentException($"Layer '{layer.Name}' is already in this model.");
        layer.Name ??= UniqueName(layer.LayerType.DefaultName);
        if (layers.Any(l => l.Name == layer.Name))
            throw new ArgumentException($"A layer named '{layer.Name}' is already in the model; give the new layer another name (name: \"...\").");
        int[]? input = layers.Count == 0 ? layer.DeclaredInputShape : layers[^1].OutputShape;
        if (layers.Count > 0 && layer.DeclaredInputShape is { } declared && input is not null && !declared.SequenceEqual(input))
            throw new ArgumentException($"Layer '{layer.Name}' declares inputShape {Layer.ShapeText(declared)} but the previous layer '{layers[^1].Name}' outputs {Layer.ShapeText(input)}.");
        if (input is not null && !layer.Built) layer.Build(input);
        else if (input is not null && layer.Built && !layer.InputShape!.SequenceEqual(input))
            throw new ArgumentException($"Layer '{layer.Name}' was built for input {Layer.ShapeText(layer.InputShape)} but the model gives it {Layer.ShapeText(input)}.");
        layers.Add(layer);
        return this;
    }

    /// <summary>Removes and returns the last layer (its weights stay with it), for replacing a model's head.</summary>
    public Layer Pop()
    {
        if (layers.Count == 0) throw new InvalidOperationException("The model has no layers to pop.");
        var last = layers[^1];
        layers.RemoveAt(layers.Count - 1);
        return last;
    }

    /// <summary>Builds every layer for a per-sample input shape (Keras convention), when no layer declared one.</summary>
    public Sequential Build(IEnumerable<int> inputShape)
    {
        int[] shape = inputShape.ToArray();
        foreach (var l in layers)
        {
            l.Build(shape);
            shape = l.OutputShape!;
        }
        return this;
    }

    string UniqueName(string baseName)
    {
        if (!layers.Any(l => l.Name == baseName)) return baseName;
        for (int i = 1; ; i++)
            if (!layers.Any(l => l.Name == $"{baseName}_{i}")) return $"{baseName}_{i}";
    }

    // ---------------------------------------------------------------- fit / evaluate / predict

    /// <inheritdoc />
    private protected override IReadOnlyList<Layer> OwnLayers => layers;

    /// <inheritdoc />
    private protected override void BeforeFit() => RememberFrozenWeights();

    // ---------------------------------------------------------------- summary and weights

    /// <summary>Keras's <c>summary()</c>: one row per layer (output shape, parameters, trainable) and totals. Print it or display it.</summary>
    public override ModelSummary Summary()
    {
        var rows = layers.Select(l => ModelSummary.Row(l, DriftOf(l))).ToList();
        long trainable = layers.Sum(l => l.TrainableParameterCount);
        long total = layers.Sum(l => l.ParameterCount);
        return new ModelSummary(Name, rows, trainable, total - trainable);
    }

    /// <inheritdoc />
    private protected override void ReplaceHeadCore(int units, string? activation, string? name)
    {
        var fresh = Transfer.HeadSurgery.NewHead(layers.Count > 0 ? layers[^1] : null, units, activation, name);
        Pop().Dispose();
        Add(fresh);
    }

    /// <summary>Frees the optimizer state, every layer's weights and the remembered frozen weights.</summary>
    public override void Dispose()
    {
        base.Dispose();
        foreach (var s in frozenSnapshots.Values) foreach (var t in s.Values) t.Dispose();
    }
}
