using TransferNotebooks.Losses;
using TransferNotebooks.Metrics;
using TransferNotebooks.Optimizers;

namespace TransferNotebooks.Models;

/// <summary>What Compile records (optimizer, loss, metrics by name or object), shared by <see cref="Sequential"/> and <see cref="Functional"/>.</summary>
internal sealed class CompileSettings
{
    readonly List<Func<Loss, Metric>> metricFactories = [];
    readonly List<string> metricNames = [];

    public Optimizer? Optimizer { get; private set; }
    public Loss? Loss { get; private set; }
    public IReadOnlyList<string> MetricNames => metricNames;
    public bool IsCompiled => Optimizer is not null && Loss is not null;

    /// <summary>Compile with metric names (validated now, with a clear error).</summary>
    public void Set(Optimizer optimizer, Loss loss, IEnumerable<string>? metrics)
    {
        var names = (metrics ?? []).ToList();
        foreach (var n in names) MetricRegistry.Get(n, loss);
        Set(optimizer, loss, names.Select(n => (Func<Loss, Metric>)(l => MetricRegistry.Get(n, l))), names);
    }

    /// <summary>Compile with metric objects.</summary>
    public void Set(Optimizer optimizer, Loss loss, IEnumerable<Metric> metrics)
    {
        var list = metrics.ToList();
        Set(optimizer, loss, list.Select(m => (Func<Loss, Metric>)(_ => m)), list.Select(m => m.Name));
    }

    void Set(Optimizer optimizer, Loss loss, IEnumerable<Func<Loss, Metric>> factories, IEnumerable<string> names)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(loss);
        if (!ReferenceEquals(Optimizer, optimizer)) Optimizer?.Dispose();
        Optimizer = optimizer;
        Loss = loss;
        metricFactories.Clear();
        metricFactories.AddRange(factories);
        metricNames.Clear();
        metricNames.AddRange(names);
    }

    public Optimizer RequireOptimizer() => Optimizer ?? throw NotCompiled();
    public Loss RequireLoss() => Loss ?? throw NotCompiled();

    public static InvalidOperationException NotCompiled() =>
        new("The model is not compiled. Call model.Compile(optimizer: \"adam\", loss: \"sparse_categorical_crossentropy\", metrics: [\"accuracy\"]) before Fit or Evaluate.");

    public IReadOnlyList<Metric> CreateMetrics() => metricFactories.Select(f => f(RequireLoss())).ToList();
}
