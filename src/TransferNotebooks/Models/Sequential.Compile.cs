using TransferNotebooks.Losses;
using TransferNotebooks.Metrics;
using TransferNotebooks.Optimizers;

namespace TransferNotebooks.Models;

// Compile: the optimizer, loss and metrics a model trains with (Keras's compile), by name or object.
public sealed partial class Sequential
{
    Optimizer? optimizer;
    Loss? loss;
    readonly List<Func<Loss, Metric>> metricFactories = [];
    readonly List<string> metricNames = [];

    /// <summary>
    /// Chooses the optimizer, loss and metrics, by Keras name or object:
    /// <c>Compile(optimizer: "adam", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"])</c>.
    /// Freezing or unfreezing layers later needs no recompile: the optimizer follows the trainable flags at every step.
    /// </summary>
    /// <exception cref="ArgumentException">Unknown name (the message lists valid names and the nearest).</exception>
    public Sequential Compile(Optimizer optimizer, Loss loss, IEnumerable<string>? metrics = null)
    {
        var names = (metrics ?? []).ToList();
        foreach (var n in names) MetricRegistry.Get(n, loss); // validate now, with a clear error
        SetCompiled(optimizer, loss, names.Select(n => (Func<Loss, Metric>)(l => MetricRegistry.Get(n, l))), names);
        return this;
    }

    /// <summary>Compile with metric objects (for example <c>new Precision(threshold: 0.3)</c>).</summary>
    public Sequential Compile(Optimizer optimizer, Loss loss, IEnumerable<Metric> metrics)
    {
        var list = metrics.ToList();
        SetCompiled(optimizer, loss, list.Select(m => (Func<Loss, Metric>)(_ => m)), list.Select(m => m.Name));
        return this;
    }

    void SetCompiled(Optimizer optimizer, Loss loss, IEnumerable<Func<Loss, Metric>> factories, IEnumerable<string> names)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(loss);
        if (!ReferenceEquals(this.optimizer, optimizer)) this.optimizer?.Dispose();
        this.optimizer = optimizer;
        this.loss = loss;
        metricFactories.Clear();
        metricFactories.AddRange(factories);
        metricNames.Clear();
        metricNames.AddRange(names);
    }

    /// <summary>The compiled optimizer (usable directly in a hand-written loop).</summary>
    /// <exception cref="InvalidOperationException">Not compiled yet.</exception>
    public Optimizer Optimizer => optimizer ?? throw NotCompiled();

    /// <summary>The compiled loss (usable directly in a hand-written loop).</summary>
    /// <exception cref="InvalidOperationException">Not compiled yet.</exception>
    public Loss Loss => loss ?? throw NotCompiled();

    /// <summary>The metric names given to Compile.</summary>
    public IReadOnlyList<string> MetricNames => metricNames;

    InvalidOperationException NotCompiled() =>
        new("The model is not compiled. Call model.Compile(optimizer: \"adam\", loss: \"sparse_categorical_crossentropy\", metrics: [\"accuracy\"]) before Fit or Evaluate.");

    /// <inheritdoc />
    public IReadOnlyList<Metric> CreateMetrics() => metricFactories.Select(f => f(Loss)).ToList();
}
