using TransferNotebooks.Losses;
using TransferNotebooks.Metrics;
using TransferNotebooks.Optimizers;

namespace TransferNotebooks.Models;

// Compile: the optimizer, loss and metrics a model trains with (Keras's compile), by name or object (state in CompileSettings, shared with Functional).
public sealed partial class Sequential
{
    readonly CompileSettings compiled = new();
    Optimizer? optimizer => compiled.Optimizer;
    Loss? loss => compiled.Loss;

    /// <summary>
    /// Chooses the optimizer, loss and metrics, by Keras name or object:
    /// <c>Compile(optimizer: "adam", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"])</c>.
    /// Freezing or unfreezing layers later needs no recompile: the optimizer follows the trainable flags at every step.
    /// </summary>
    /// <exception cref="ArgumentException">Unknown name (the message lists valid names and the nearest).</exception>
    public Sequential Compile(Optimizer optimizer, Loss loss, IEnumerable<string>? metrics = null)
    {
        compiled.Set(optimizer, loss, metrics);
        return this;
    }

    /// <summary>Compile with metric objects (for example <c>new Precision(threshold: 0.3)</c>).</summary>
    public Sequential Compile(Optimizer optimizer, Loss loss, IEnumerable<Metric> metrics)
    {
        compiled.Set(optimizer, loss, metrics);
        return this;
    }

    /// <summary>The compiled optimizer (usable directly in a hand-written loop).</summary>
    /// <exception cref="InvalidOperationException">Not compiled yet.</exception>
    public Optimizer Optimizer => compiled.RequireOptimizer();

    /// <summary>The compiled loss (usable directly in a hand-written loop).</summary>
    /// <exception cref="InvalidOperationException">Not compiled yet.</exception>
    public Loss Loss => compiled.RequireLoss();

    /// <summary>The metric names given to Compile.</summary>
    public IReadOnlyList<string> MetricNames => compiled.MetricNames;

    static InvalidOperationException NotCompiled() => CompileSettings.NotCompiled();

    /// <inheritdoc />
    public IReadOnlyList<Metric> CreateMetrics() => compiled.CreateMetrics();
}
