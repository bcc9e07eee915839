using System.Globalization;
using static TorchSharp.torch;

namespace TransferNotebooks.Training.Callbacks;

/// <summary>
/// Stops training when the monitored value has stopped improving (Keras's <c>EarlyStopping</c>, Keras 3 semantics): after
/// <c>patience</c> epochs without an improvement larger than <c>minDelta</c>, training ends at that epoch's end.
/// With <c>restoreBestWeights</c> the model ends with the weights of its best epoch (kept as an in-memory copy, refreshed only
/// when the monitored value improves).
/// </summary>
public sealed class EarlyStopping : MonitorCallback
{
    readonly int verbose;
    IReadOnlyDictionary<string, Tensor>? bestWeights;
    int wait;

    /// <summary>Creates the callback.</summary>
    /// <param name="monitor">The logged value to watch.</param>
    /// <param name="minDelta">The smallest change that counts as an improvement.</param>
    /// <param name="patience">Epochs without improvement after which training stops.</param>
    /// <param name="mode"><c>"auto"</c>, <c>"min"</c> or <c>"max"</c> (see <see cref="MonitorCallback"/>).</param>
    /// <param name="baseline">A value the model must beat: until it does, the patience counter is not reset.</param>
    /// <param name="restoreBestWeights">At the end of training, restore the weights of the best epoch.</param>
    /// <param name="startFromEpoch">Epochs to wait (warm-up) before watching at all.</param>
    /// <param name="verbose">1 prints when training stops and when weights are restored.</param>
    /// <param name="log">Where warnings and messages go.</param>
    public EarlyStopping(string monitor = "val_loss", double minDelta = 0, int patience = 0, string mode = "auto", double? baseline = null,
        bool restoreBestWeights = false, int startFromEpoch = 0, int verbose = 0, TextWriter? log = null)
        : base(monitor, mode, minDelta, log)
    {
        if (patience < 0) throw new ArgumentOutOfRangeException(nameof(patience), patience, "patience must be 0 or more epochs.");
        if (startFromEpoch < 0) throw new ArgumentOutOfRangeException(nameof(startFromEpoch), startFromEpoch, "startFromEpoch must be 0 or more.");
        Patience = patience;
        Baseline = baseline;
        RestoreBestWeights = restoreBestWeights;
        StartFromEpoch = startFromEpoch;
        this.verbose = verbose;
    }

    /// <summary>Epochs without improvement tolerated.</summary>
    public int Patience { get; }
    /// <summary>The value to beat before the patience counter resets; null for none.</summary>
    public double? Baseline { get; }
    /// <summary>Whether the best epoch's weights are restored at the end.</summary>
    public bool RestoreBestWeights { get; }
    /// <summary>Warm-up epochs during which nothing is watched.</summary>
    public int StartFromEpoch { get; }
    /// <summary>The epoch (0-based) at which training was stopped; null when it ran to the end.</summary>
    public int? StoppedEpoch { get; private set; }
    /// <summary>The epoch (0-based) with the best monitored value; null before any.</summary>
    public int? BestEpoch { get; private set; }

    /// <inheritdoc />
    public override void OnTrainBegin(Logs logs)
    {
        base.OnTrainBegin(logs);
        wait = 0;
        StoppedEpoch = null;
        BestEpoch = null;
        DisposeBest();
    }

    /// <inheritdoc />
    public override void OnEpochEnd(int epoch, Logs logs)
    {
        if (MonitorValue(logs) is not double current || epoch < StartFromEpoch) return;
        bool improved = IsImprovement(current, Best);
        // Before any improvement (say a NaN first value) the current weights are the best known (as Keras).
        if (RestoreBestWeights && bestWeights is null && !improved) { Keep(); BestEpoch = epoch; }
        wait++;
        if (improved)
        {
            Best = current;
            BestEpoch = epoch;
            if (RestoreBestWeights) Keep();
            // Only restart the count once both the baseline and the previous best are beaten (as Keras).
            if (Baseline is null || IsImprovement(current, Baseline)) wait = 0;
            return;
        }
        if (wait >= Patience && epoch > 0)
        {
            StoppedEpoch = epoch;
            Model.StopTraining = true;
        }
    }

    /// <inheritdoc />
    public override void OnTrainEnd(Logs logs)
    {
        if (StoppedEpoch is int stopped && verbose > 0) MessageOut.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Epoch {stopped + 1}: early stopping"));
        if (RestoreBestWeights && bestWeights is not null)
        {
            if (verbose > 0) MessageOut.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Restoring model weights from the end of the best epoch: {BestEpoch + 1}."));
            Model.RestoreWeights(bestWeights);
        }
        DisposeBest();
    }

    void Keep()
    {
        DisposeBest();
        bestWeights = Model.SnapshotWeights();
    }

    void DisposeBest()
    {
        if (bestWeights is null) return;
        foreach (var t in bestWeights.Values) t.Dispose();
        bestWeights = null;
    }
}
