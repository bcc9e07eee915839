using TransferNotebooks.Metrics;

namespace TransferNotebooks.Training.Callbacks;

/// <summary>
/// The one base of the callbacks that watch a logged value (<see cref="EarlyStopping"/>, <see cref="ReduceLROnPlateau"/>,
/// <see cref="ModelCheckpoint"/>), as Keras 3's <c>MonitorCallback</c>: the monitored name, whether lower or higher is better,
/// the minimum change that counts, the best value so far, and a single warning when the monitored value is not logged.
/// </summary>
/// <remarks>
/// Mode <c>"auto"</c> follows Keras, by the library's one rule (<see cref="MetricDirection"/>): after removing a <c>val_</c>
/// prefix, names that contain <c>acc</c> (accuracy, sparse_categorical_accuracy, top-k accuracy) or are AUC, precision, recall
/// or an F-score are maximised; everything else (loss, mae, mse, ...) is minimised.
/// </remarks>
public abstract class MonitorCallback : Callback
{
    readonly TextWriter? log;
    bool warned;

    /// <summary>Creates the base.</summary>
    /// <param name="monitor">The logged name to watch, for example <c>val_loss</c> or <c>val_accuracy</c>.</param>
    /// <param name="mode"><c>"auto"</c>, <c>"min"</c> or <c>"max"</c>.</param>
    /// <param name="minDelta">The smallest change that counts as an improvement (its sign is ignored).</param>
    /// <param name="log">Where warnings and messages go (warnings default to standard error, messages to standard output).</param>
    /// <exception cref="ArgumentException">An empty monitor name, an unknown mode or a non-finite minDelta.</exception>
    protected MonitorCallback(string monitor, string mode, double minDelta, TextWriter? log)
    {
        if (string.IsNullOrWhiteSpace(monitor)) throw new ArgumentException("monitor must name a logged value, for example \"val_loss\".", nameof(monitor));
        if (!double.IsFinite(minDelta)) throw new ArgumentOutOfRangeException(nameof(minDelta), minDelta, "minDelta must be a finite number, for example 0 or 1e-4.");
        Monitor = monitor;
        Maximize = (mode ?? "auto").ToLowerInvariant() switch
        {
            "auto" => IsMaximizedByDefault(monitor),
            "min" => false,
            "max" => true,
            _ => throw new ArgumentException($"Unknown mode '{mode}': use \"auto\", \"min\" or \"max\".", nameof(mode)),
        };
        MinDelta = Math.Abs(minDelta);
        this.log = log;
    }

    /// <summary>The logged name watched.</summary>
    public string Monitor { get; }

    /// <summary>True when higher values are better (mode <c>"max"</c>, or <c>"auto"</c> for an accuracy-like name).</summary>
    public bool Maximize { get; }

    /// <summary>The smallest change that counts as an improvement (non-negative).</summary>
    public double MinDelta { get; }

    /// <summary>The best value seen so far in this run; null before the first value.</summary>
    public double? Best { get; protected set; }

    /// <summary>Keras's "auto" rule: true for accuracy-, AUC-, precision-, recall- and F-score-like names (a <c>val_</c> prefix is ignored).</summary>
    public static bool IsMaximizedByDefault(string monitor) => MetricDirection.HigherIsBetter(monitor);

    /// <summary>
    /// True when <paramref name="current"/> beats <paramref name="reference"/> by more than <see cref="MinDelta"/> in the better
    /// direction. Anything beats a null reference; a NaN value never improves.
    /// </summary>
    public bool IsImprovement(double current, double? reference)
    {
        if (double.IsNaN(current)) return false;
        if (reference is not double r) return true;
        return Maximize ? current - MinDelta > r : current + MinDelta < r;
    }

    /// <summary>Where warnings go (the writer given, else standard error).</summary>
    protected TextWriter WarningOut => log ?? Console.Error;

    /// <summary>Where informational messages go (the writer given, else standard output).</summary>
    protected TextWriter MessageOut => log ?? Console.Out;

    /// <summary>Resets <see cref="Best"/> and the warning; subclasses that override call this first.</summary>
    public override void OnTrainBegin(Logs logs)
    {
        Best = null;
        warned = false;
    }

    /// <summary>
    /// The monitored value from <paramref name="logs"/>. When it is absent, warns once per run, listing the names that exist
    /// (as Keras does), and returns null.
    /// </summary>
    protected double? MonitorValue(Logs logs)
    {
        if (logs.TryGet(Monitor, out var value)) return value;
        if (!warned)
        {
            warned = true;
            var available = string.Join(", ", logs.Keys);
            var hint = Monitor.StartsWith("val_", StringComparison.Ordinal) && Params is { HasValidation: false }
                ? " (No validation runs: pass validationSplit or validationData to Fit.)" : "";
            WarningOut.WriteLine($"Warning: {GetType().Name} is conditioned on '{Monitor}', which is not available. Available metrics are: {available}.{hint}");
        }
        return null;
    }
}
