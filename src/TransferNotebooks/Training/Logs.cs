namespace TransferNotebooks.Training;

/// <summary>
/// Named values handed to callbacks (loss, metrics, val_*, learning_rate). Batch logs are computed only when a
/// callback reads them, so the loop never synchronises with the device for values nobody looks at.
/// </summary>
public sealed class Logs
{
    readonly Func<IReadOnlyDictionary<string, double>> compute;
    IReadOnlyDictionary<string, double>? values;

    /// <summary>Logs computed on first access.</summary>
    public Logs(Func<IReadOnlyDictionary<string, double>> compute) => this.compute = compute;

    /// <summary>Logs with known values.</summary>
    public Logs(IReadOnlyDictionary<string, double> values)
    {
        this.values = values;
        compute = () => values;
    }

    /// <summary>Empty logs.</summary>
    public static Logs Empty { get; } = new(new Dictionary<string, double>());

    /// <summary>Every value by name (computed now if needed).</summary>
    public IReadOnlyDictionary<string, double> Values => values ??= compute();

    /// <summary>One value by name.</summary>
    public double this[string name] => Values[name];

    /// <summary>The value if present.</summary>
    public bool TryGet(string name, out double value) => Values.TryGetValue(name, out value);

    /// <summary>The names present.</summary>
    public IEnumerable<string> Keys => Values.Keys;
}

/// <summary>Facts about the run that callbacks may need (Keras's <c>params</c>).</summary>
/// <param name="Epochs">The last epoch (exclusive) of this Fit.</param>
/// <param name="Steps">Batches per epoch.</param>
/// <param name="Samples">Training samples.</param>
/// <param name="Verbose">The verbosity Fit was called with.</param>
/// <param name="InitialEpoch">The first epoch of this Fit.</param>
/// <param name="HasValidation">True when validation runs at each epoch end.</param>
public sealed record TrainingParams(int Epochs, int Steps, int Samples, int Verbose, int InitialEpoch, bool HasValidation);
