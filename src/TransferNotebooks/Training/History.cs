namespace TransferNotebooks.Training;

/// <summary>
/// What <c>Fit</c> returns: per-epoch values of the loss, each metric, their <c>val_</c> counterparts, the learning rate
/// and the wall time, indexable by name (<c>history["val_accuracy"]</c>).
/// </summary>
public sealed class History
{
    readonly Dictionary<string, List<double>> values = new(StringComparer.Ordinal);

    /// <summary>The epoch numbers recorded (0-based, as Keras's <c>history.epoch</c>).</summary>
    public List<int> Epochs { get; } = [];

    /// <summary>Every series by name: loss, metrics, val_*, learning_rate, seconds.</summary>
    public IReadOnlyDictionary<string, List<double>> Values => values;

    /// <summary>The names of the recorded series, in the order first seen.</summary>
    public IReadOnlyList<string> Keys => [.. values.Keys];

    /// <summary>The values of one series.</summary>
    /// <exception cref="KeyNotFoundException">No such series; the message lists what exists.</exception>
    public IReadOnlyList<double> this[string name] =>
        values.TryGetValue(name, out var list) ? list
        : throw new KeyNotFoundException($"History has no '{name}'. Recorded: {string.Join(", ", values.Keys)}.");

    /// <summary>True when the series exists.</summary>
    public bool Contains(string name) => values.ContainsKey(name);

    /// <summary>The number of epochs recorded.</summary>
    public int Count => Epochs.Count;

    /// <summary>Records one epoch's logs.</summary>
    public void Append(int epoch, IReadOnlyDictionary<string, double> logs)
    {
        Epochs.Add(epoch);
        foreach (var (k, v) in logs)
        {
            if (!values.TryGetValue(k, out var list)) values[k] = list = [];
            while (list.Count < Epochs.Count - 1) list.Add(double.NaN);
            list.Add(v);
        }
    }

    /// <summary>Appends another history (for example after a second Fit call), keeping epoch numbers.</summary>
    public History Concat(History other)
    {
        var result = new History();
        for (int i = 0; i < Count; i++) result.Append(Epochs[i], values.ToDictionary(kv => kv.Key, kv => i < kv.Value.Count ? kv.Value[i] : double.NaN));
        for (int i = 0; i < other.Count; i++) result.Append(other.Epochs[i], other.values.ToDictionary(kv => kv.Key, kv => i < kv.Value.Count ? kv.Value[i] : double.NaN));
        return result;
    }

    /// <summary>The epochs as a text table, values in the library's one number format (<see cref="Hosting.NumberFormat.Value"/>).</summary>
    public override string ToString()
    {
        var cols = values.Keys.ToList();
        var lines = new List<string> { "epoch  " + string.Join("  ", cols.Select(c => c.PadLeft(12))) };
        for (int i = 0; i < Count; i++)
            lines.Add($"{Epochs[i] + 1,5}  " + string.Join("  ", cols.Select(c => (i < values[c].Count ? Hosting.NumberFormat.Value(values[c][i]) : "").PadLeft(12))));
        return string.Join(Environment.NewLine, lines);
    }
}
