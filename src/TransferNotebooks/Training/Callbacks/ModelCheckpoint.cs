using System.Globalization;

namespace TransferNotebooks.Training.Callbacks;

/// <summary>
/// Saves the model (or only its weights) at the end of each epoch, or only when the monitored value improves (Keras's
/// <c>ModelCheckpoint</c>). The path is a template: <c>{epoch}</c> (1-based, as Keras) and any logged name can appear, with
/// Python/Keras format specs, for example <c>"ckpt-{epoch:02d}-{val_loss:.3f}.tnmodel"</c>. Writes go through the model's
/// <c>Save</c>/<c>SaveWeights</c>, which are atomic: an interrupted save never leaves a half-written checkpoint.
/// </summary>
/// <remarks>
/// With <c>saveBestOnly</c> and a fixed path the file always holds the best model so far; with a templated path a new file is
/// written at each improvement. The best value is kept across Fit calls (as Keras), so a second Fit never overwrites the
/// best checkpoint with a worse model.
/// </remarks>
public sealed class ModelCheckpoint : MonitorCallback
{
    readonly int verbose;
    readonly double? initialValueThreshold;
    readonly List<string> saved = [];

    /// <summary>Creates the callback.</summary>
    /// <param name="filepath">The path template (see the class summary).</param>
    /// <param name="monitor">The logged value that decides "best".</param>
    /// <param name="verbose">1 prints each save (and each skipped epoch with <paramref name="saveBestOnly"/>).</param>
    /// <param name="saveBestOnly">Save only when the monitored value improves.</param>
    /// <param name="saveWeightsOnly">Save only the weights (<c>SaveWeights</c>) instead of the whole model (<c>Save</c>).</param>
    /// <param name="mode"><c>"auto"</c>, <c>"min"</c> or <c>"max"</c> (see <see cref="MonitorCallback"/>).</param>
    /// <param name="initialValueThreshold">With <paramref name="saveBestOnly"/>, a value the model must beat before the first save.</param>
    /// <param name="log">Where warnings and messages go.</param>
    /// <exception cref="FormatException">The template is malformed (unbalanced braces, bad format spec).</exception>
    public ModelCheckpoint(string filepath, string monitor = "val_loss", int verbose = 0, bool saveBestOnly = false, bool saveWeightsOnly = false,
        string mode = "auto", double? initialValueThreshold = null, TextWriter? log = null)
        : base(monitor, mode, 0, log)
    {
        if (string.IsNullOrWhiteSpace(filepath)) throw new ArgumentException("filepath must be a path, for example \"ckpt-{epoch:02d}.tnmodel\".", nameof(filepath));
        Filepath = filepath;
        SaveBestOnly = saveBestOnly;
        SaveWeightsOnly = saveWeightsOnly;
        this.verbose = verbose;
        this.initialValueThreshold = initialValueThreshold;
        Best = initialValueThreshold;
        // Parse once now so a typo in the template fails before training rather than after the first epoch.
        _ = PathTemplate.Format(filepath, name => name == "epoch" ? 1 : 0);
    }

    /// <summary>The path template.</summary>
    public string Filepath { get; }
    /// <summary>Whether only improvements are saved.</summary>
    public bool SaveBestOnly { get; }
    /// <summary>Whether only weights are saved.</summary>
    public bool SaveWeightsOnly { get; }
    /// <summary>Every path written by this callback, in order (a fixed path appears once per save).</summary>
    public IReadOnlyList<string> SavedPaths => saved;

    /// <inheritdoc />
    public override void OnTrainBegin(Logs logs)
    {
        var best = Best;
        base.OnTrainBegin(logs);
        Best = best ?? initialValueThreshold;
    }

    /// <inheritdoc />
    public override void OnEpochEnd(int epoch, Logs logs)
    {
        if (SaveBestOnly)
        {
            if (MonitorValue(logs) is not double current) return;
            if (!IsImprovement(current, Best))
            {
                if (verbose > 0) MessageOut.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Epoch {epoch + 1}: {Monitor} did not improve from {Best:G6}"));
                return;
            }
            var previous = Best;
            Best = current;
            var path = PathFor(epoch, logs);
            if (verbose > 0) MessageOut.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Epoch {epoch + 1}: {Monitor} improved from {(previous is double p ? p.ToString("G6", CultureInfo.InvariantCulture) : "inf")} to {current:G6}, saving model to {path}"));
            Write(path);
        }
        else
        {
            var path = PathFor(epoch, logs);
            if (verbose > 0) MessageOut.WriteLine($"Epoch {epoch + 1}: saving model to {path}");
            Write(path);
        }
    }

    string PathFor(int epoch, Logs logs) =>
        PathTemplate.Format(Filepath, name => name == "epoch" ? epoch + 1
            : logs.TryGet(name, out var v) ? v
            : throw new KeyNotFoundException($"ModelCheckpoint's path '{Filepath}' uses '{{{name}}}', which is not logged. Available: epoch, {string.Join(", ", logs.Keys)}."));

    void Write(string path)
    {
        if (SaveWeightsOnly) Model.SaveWeights(path);
        else Model.Save(path);
        saved.Add(path);
    }
}
