using System.Runtime.CompilerServices;
using TransferNotebooks.Losses;
using static TorchSharp.torch;

namespace TransferNotebooks.Metrics;

/// <summary>
/// A metric of one output of a model with several outputs, named as Keras names it (<c>digit_accuracy</c> for the output layer
/// <c>digit</c>): it reads that output's part of the packed outputs and targets.
/// </summary>
internal sealed class OutputMetric : Metric
{
    readonly Metric inner;
    readonly MultiOutputLoss split;
    readonly int output;

    public OutputMetric(Metric inner, MultiOutputLoss split, int output, string outputName)
    {
        this.inner = inner;
        this.split = split;
        this.output = output;
        Name = $"{outputName}_{inner.Name}";
    }

    /// <inheritdoc />
    public override string KerasClassName => inner.KerasClassName;

    /// <inheritdoc />
    public override void Reset() => inner.Reset();

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void Update(Tensor yTrue, Tensor yPred)
    {
        using var scope = NewDisposeScope();
        var (t, p) = split.Part(output, yTrue, yPred);
        inner.Update(t, p);
    }

    /// <inheritdoc />
    public override double Result() => inner.Result();

    /// <inheritdoc />
    public override void Dispose()
    {
        inner.Dispose();
        base.Dispose();
    }
}
