using System.Runtime.CompilerServices;
using System.Text.Json.Serialization;
using static TorchSharp.torch;

namespace TransferNotebooks.Layers;

/// <summary>The saved settings of the element-wise merge layers (Add, Subtract, Multiply, Average, Maximum): none beyond the name.</summary>
public sealed record MergeConfig();

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, RespectRequiredConstructorParameters = true)]
[JsonSerializable(typeof(MergeConfig))]
internal sealed partial class MergeJson : JsonSerializerContext;

/// <summary>
/// A layer that takes several inputs (Keras's <c>Merge</c> base: <see cref="Add"/>, <see cref="Concatenate"/>, ...). Call it on
/// symbolic tensors with <c>Add().Call(x, skip)</c> in a functional model, or on values with <see cref="Call(IReadOnlyList{Tensor}, bool)"/>.
/// </summary>
/// <remarks>
/// <see cref="Layer.InputShape"/> is the first input's shape; <see cref="InputShapes"/> holds all of them. Inside models image
/// tensors are channels first ([N, C, H, W]); element-wise merges do not care, <see cref="Concatenate"/> maps its Keras axis.
/// </remarks>
public abstract class MergeLayer : Layer
{
    int[][]? pending;

    /// <summary>Creates the layer.</summary>
    protected MergeLayer(string? name) : base(name, null) { }

    /// <summary>The per-sample shapes of every input (Keras layout), once built.</summary>
    public IReadOnlyList<int[]>? InputShapes { get; private set; }

    /// <summary>The smallest number of inputs (2; Subtract takes exactly 2).</summary>
    protected virtual int MinInputs => 2;

    /// <summary>The largest number of inputs (unbounded unless the layer says).</summary>
    protected virtual int MaxInputs => int.MaxValue;

    /// <summary>Calls the layer on symbolic tensors (Keras's <c>layers.Add()([a, b])</c>): <c>Add().Call(x, skip)</c>.</summary>
    /// <exception cref="ArgumentException">Too few inputs, or shapes that do not merge; the message names the layers that made them.</exception>
    public KerasTensor Call(params KerasTensor[] inputs) => CallSymbolic(inputs ?? throw new ArgumentNullException(nameof(inputs)), null);

    /// <summary>Calls the layer on a list of symbolic tensors (F#: <c>Concatenate().Call [ a; b ]</c>).</summary>
    public KerasTensor Call(IEnumerable<KerasTensor> inputs) => CallSymbolic((inputs ?? throw new ArgumentNullException(nameof(inputs))).ToList(), null);

    /// <summary>Runs the layer on its input values (internal layout: images [N, C, H, W]).</summary>
    public abstract override Tensor Call(IReadOnlyList<Tensor> inputs, bool training);

    /// <summary>A merge layer needs several inputs: this single-input entry point explains how to call it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override Tensor Call(Tensor input, bool training) =>
        throw new NotSupportedException($"Layer {Label} merges several inputs; call it with a list (Call([a, b], training)) or inside a functional model.");

    /// <summary>Builds for the inputs' shapes and returns the output shape.</summary>
    /// <exception cref="ArgumentException">The shapes cannot be merged; <paramref name="origins"/> (what made each input) are named.</exception>
    public int[] Build(IReadOnlyList<int[]> shapes, IReadOnlyList<string>? origins = null)
    {
        ArgumentNullException.ThrowIfNull(shapes);
        if (shapes.Count < MinInputs || shapes.Count > MaxInputs)
            throw new ArgumentException($"Layer {Label} takes {(MinInputs == MaxInputs ? $"exactly {MinInputs}" : $"at least {MinInputs}")} inputs but got {shapes.Count}.");
        var from = origins ?? shapes.Select((_, i) => $"input {i}").ToList();
        if (InputShapes is { } built)
        {
            if (built.Count == shapes.Count && built.Zip(shapes).All(p => p.First.SequenceEqual(p.Second))) return OutputShape!;
            throw new ArgumentException($"Layer {Label} was built for inputs {string.Join(", ", built.Select(ShapeText))} but now receives {string.Join(", ", shapes.Select(ShapeText))}.");
        }
        var output = MergedShape(shapes, from);
        pending = shapes.Select(s => s.ToArray()).ToArray();
        pending[0] = output; // handed to BuildCore through Layer.Build
        Build(shapes[0]);
        InputShapes = shapes.Select(s => s.ToArray()).ToList();
        pending = null;
        return output;
    }

    /// <inheritdoc />
    protected override int[] BuildCore(int[] inputShape) =>
        pending?[0] ?? throw new InvalidOperationException($"Layer {Label} merges several inputs: build it with Build(shapes) or call it on tensors.");

    /// <summary>The output shape for these input shapes; element-wise merges need equal shapes.</summary>
    protected virtual int[] MergedShape(IReadOnlyList<int[]> shapes, IReadOnlyList<string> origins)
    {
        for (int i = 1; i < shapes.Count; i++)
            if (!shapes[i].SequenceEqual(shapes[0]))
                throw new ArgumentException($"Layer {Label} merges element-wise, so its inputs must have the same shape, but {origins[0]} outputs {ShapeText(shapes[0])} "
                    + $"and {origins[i]} outputs {ShapeText(shapes[i])}. Make them match (same filters/units; padding: \"same\" keeps image sizes), or use Concatenate.");
        return shapes[0].ToArray();
    }

    internal override KerasTensor CallSymbolic(IReadOnlyList<KerasTensor> inputs, bool? training)
    {
        if (inputs.Count == 0 || inputs.Any(i => i is null))
            throw new ArgumentException($"Layer {Label} needs symbolic input tensors; got {(inputs.Count == 0 ? "none" : "null")}.");
        var scope = inputs[0].Scope;
        foreach (var i in inputs.Skip(1)) scope.Join(i.Scope);
        scope.Name(this);
        Build(inputs.Select(i => i.ShapeArray).ToList(), inputs.Select(i => i.Origin).ToList());
        return new KerasTensor(OutputShape!, this, inputs.ToList(), training, null, scope);
    }

    /// <summary>Checks the runtime inputs' count, for the Call of each merge layer.</summary>
    protected void CheckCount(IReadOnlyList<Tensor> inputs)
    {
        if (inputs.Count < MinInputs || inputs.Count > MaxInputs)
            throw new ArgumentException($"Layer {Label} takes {(MinInputs == MaxInputs ? $"exactly {MinInputs}" : $"at least {MinInputs}")} inputs but got {inputs.Count}.");
    }
}
