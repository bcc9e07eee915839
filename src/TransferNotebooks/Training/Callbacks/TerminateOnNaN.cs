using System.Globalization;
using static TorchSharp.torch;

namespace TransferNotebooks.Training.Callbacks;

/// <summary>
/// Stops training at the first batch whose loss is NaN or infinite (Keras's <c>TerminateOnNaN</c>), with a message naming the
/// epoch and batch, and (by default) puts back the last weights known to be finite, so the model stays usable.
/// </summary>
/// <remarks>
/// Cost: one copy of the weights per epoch (taken at the epoch's start, kept only if every value is finite) and one read of the
/// running loss per batch. That is the cheapest scheme that is always correct: the loss of batch b is computed before its
/// update, so a finite loss does not prove the updated weights finite, and only a per-batch copy could return exactly the
/// pre-batch weights (a copy of every weight at every step). On a diverging run the model goes back to the start of the epoch
/// that diverged. The optimizer's moments are not rewound: lower the learning rate (or compile again) before training on.
/// </remarks>
public sealed class TerminateOnNaN : Callback
{
    readonly bool restoreWeights;
    readonly TextWriter? log;
    IReadOnlyDictionary<string, Tensor>? snapshot;
    int snapshotEpoch;
    int epoch;

    /// <summary>Creates the callback.</summary>
    /// <param name="restoreWeights">On a non-finite loss, restore the weights of the last epoch start at which they were all finite.</param>
    /// <param name="log">Where the message goes (standard error by default).</param>
    public TerminateOnNaN(bool restoreWeights = true, TextWriter? log = null)
    {
        this.restoreWeights = restoreWeights;
        this.log = log;
    }

    /// <summary>The epoch (0-based) at which training was terminated; null when it was not.</summary>
    public int? StoppedEpoch { get; private set; }
    /// <summary>The batch (0-based, within <see cref="StoppedEpoch"/>) whose loss was not finite.</summary>
    public int? StoppedBatch { get; private set; }
    /// <summary>The epoch (0-based) whose starting weights were restored; null when none were.</summary>
    public int? RestoredFromEpoch { get; private set; }

    /// <inheritdoc />
    public override void OnTrainBegin(Logs logs)
    {
        StoppedEpoch = StoppedBatch = RestoredFromEpoch = null;
        Drop();
    }

    /// <inheritdoc />
    public override void OnEpochBegin(int epoch, Logs logs)
    {
        this.epoch = epoch;
        if (!restoreWeights) return;
        var fresh = Model.SnapshotWeights();
        bool finite;
        using (NewDisposeScope()) finite = fresh.Values.All(t => isfinite(t).all().item<bool>());
        if (!finite) { foreach (var t in fresh.Values) t.Dispose(); return; }
        Drop();
        snapshot = fresh;
        snapshotEpoch = epoch;
    }

    /// <inheritdoc />
    public override void OnTrainBatchEnd(int batch, Logs logs)
    {
        if (!logs.TryGet("loss", out var loss) || double.IsFinite(loss)) return;
        StoppedEpoch = epoch;
        StoppedBatch = batch;
        Model.StopTraining = true;
        var message = string.Create(CultureInfo.InvariantCulture, $"Epoch {epoch + 1}, batch {batch + 1}/{Params.Steps}: invalid loss ({loss}), terminating training.");
        if (snapshot is not null)
        {
            Model.RestoreWeights(snapshot);
            RestoredFromEpoch = snapshotEpoch;
            message += string.Create(CultureInfo.InvariantCulture, $" Restored the weights from the start of epoch {snapshotEpoch + 1} (the last finite ones); lower the learning rate before training on.");
        }
        else if (restoreWeights) message += " No finite weights were available to restore.";
        (log ?? Console.Error).WriteLine(message);
        Drop();
    }

    /// <inheritdoc />
    public override void OnTrainEnd(Logs logs) => Drop();

    void Drop()
    {
        if (snapshot is null) return;
        foreach (var t in snapshot.Values) t.Dispose();
        snapshot = null;
    }
}
