using System.Runtime.CompilerServices;
using TransferNotebooks.Layers;
using static TorchSharp.torch;

namespace TransferNotebooks.Losses;

/// <summary>
/// The loss of a model with several outputs (Keras: one loss per output, summed with the loss weights): the model's outputs and
/// the targets arrive side by side in one row per sample (see <c>PackedInputs</c>), and each output's part goes to its loss.
/// A target takes one column for a class-index loss, else the output's size.
/// </summary>
internal sealed class MultiOutputLoss : Loss
{
    readonly Loss[] losses;
    readonly double[] weights;
    readonly int[][] shapes;
    readonly string[] names;

    /// <summary>Creates the loss for outputs of <paramref name="shapes"/> (per sample) named <paramref name="names"/>.</summary>
    public MultiOutputLoss(IReadOnlyList<Loss> losses, IReadOnlyList<double> weights, IReadOnlyList<int[]> shapes, IReadOnlyList<string> names)
    {
        this.losses = [.. losses];
        this.weights = [.. weights];
        this.shapes = [.. shapes];
        this.names = [.. names];
    }

    /// <summary>The loss of output <c>i</c>.</summary>
    public IReadOnlyList<Loss> Losses => losses;

    /// <inheritdoc />
    public override string Name => string.Join("+", losses.Select(l => l.Name));

    /// <inheritdoc />
    public override TargetKind Targets => TargetKind.Values;

    static long Size(int[] shape) => shape.Aggregate(1L, (a, d) => a * d);

    long TargetWidth(int i) => losses[i].Targets == TargetKind.ClassIndices ? 1 : Size(shapes[i]);

    /// <summary>Output <paramref name="i"/>'s part of packed targets and packed outputs, in the shapes its loss and metrics take.</summary>
    public (Tensor True, Tensor Pred) Part(int i, Tensor yTrue, Tensor yPred)
    {
        long p0 = 0, t0 = 0;
        for (int k = 0; k < i; k++) { p0 += Size(shapes[k]); t0 += TargetWidth(k); }
        long n = yPred.size(0);
        var pred = yPred.narrow(1, p0, Size(shapes[i])).reshape([n, .. shapes[i].Select(d => (long)d)]);
        var target = yTrue.narrow(1, t0, TargetWidth(i));
        target = losses[i].Targets == TargetKind.ClassIndices ? target.reshape(n).to_type(ScalarType.Int64) : target.reshape([n, .. shapes[i].Select(d => (long)d)]);
        return (target, pred);
    }

    /// <inheritdoc />
    public override void ValidateTargets(Tensor y, long samples, int[]? outputShape, string? outputLayerName)
    {
        long width = Enumerable.Range(0, losses.Length).Sum(TargetWidth);
        if (y.dim() != 2 || y.shape[1] != width)
            throw new ArgumentException($"The model has {losses.Length} outputs ({string.Join(", ", names.Select((nm, i) => $"'{nm}' {Layer.ShapeText(shapes[i])}"))}) "
                + "but was given one target tensor. Pass one target tensor per output, in that order: model.Fit(x, new[] { y1, y2 }).");
        for (int i = 0; i < losses.Length; i++)
        {
            using var scope = NewDisposeScope();
            var (target, _) = Part(i, y, zeros(y.shape[0], width + shapes.Sum(s => Size(s))));
            losses[i].ValidateTargets(target, samples, shapes[i], names[i]);
        }
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override Tensor PerSample(Tensor yTrue, Tensor yPred, OutputForm form)
    {
        using var scope = NewDisposeScope();
        Tensor? total = null;
        for (int i = 0; i < losses.Length; i++)
        {
            var (t, p) = Part(i, yTrue, yPred);
            var l = losses[i].PerSample(t, p, OutputForm.Probabilities) * weights[i];
            total = total is null ? l : total + l;
        }
        return total!.MoveToOuterDisposeScope();
    }
}
