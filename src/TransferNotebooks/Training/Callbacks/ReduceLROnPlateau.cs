using System.Globalization;

namespace TransferNotebooks.Training.Callbacks;

/// <summary>
/// Multiplies the learning rate by <c>factor</c> when the monitored value has not improved for <c>patience</c> epochs
/// (Keras's <c>ReduceLROnPlateau</c>). It changes <c>model.Optimizer.LearningRate</c>, so the new rate applies from the next
/// epoch and shows in <see cref="History"/>'s <c>learning_rate</c> series.
/// </summary>
public sealed class ReduceLROnPlateau : MonitorCallback
{
    readonly int verbose;
    int wait;
    int cooldownCounter;

    /// <summary>Creates the callback.</summary>
    /// <param name="monitor">The logged value to watch.</param>
    /// <param name="factor">The multiplier applied to the learning rate, in (0, 1).</param>
    /// <param name="patience">Epochs without improvement before reducing.</param>
    /// <param name="verbose">1 prints each reduction.</param>
    /// <param name="mode"><c>"auto"</c>, <c>"min"</c> or <c>"max"</c> (see <see cref="MonitorCallback"/>).</param>
    /// <param name="minDelta">The smallest change that counts as an improvement.</param>
    /// <param name="cooldown">Epochs to wait after a reduction before counting again.</param>
    /// <param name="minLr">The learning rate never goes below this.</param>
    /// <param name="log">Where warnings and messages go.</param>
    public ReduceLROnPlateau(string monitor = "val_loss", double factor = 0.1, int patience = 10, int verbose = 0, string mode = "auto",
        double minDelta = 1e-4, int cooldown = 0, double minLr = 0, TextWriter? log = null)
        : base(monitor, mode, minDelta, log)
    {
        if (!(factor > 0 && factor < 1)) throw new ArgumentOutOfRangeException(nameof(factor), factor, "factor must be between 0 and 1 (exclusive), for example 0.1 or 0.5.");
        if (patience < 0) throw new ArgumentOutOfRangeException(nameof(patience), patience, "patience must be 0 or more epochs.");
        if (cooldown < 0) throw new ArgumentOutOfRangeException(nameof(cooldown), cooldown, "cooldown must be 0 or more epochs.");
        if (!(minLr >= 0)) throw new ArgumentOutOfRangeException(nameof(minLr), minLr, "minLr must be 0 or more.");
        Factor = factor;
        Patience = patience;
        Cooldown = cooldown;
        MinLr = minLr;
        this.verbose = verbose;
    }

    /// <summary>The multiplier applied at each reduction.</summary>
    public double Factor { get; }
    /// <summary>Epochs without improvement before reducing.</summary>
    public int Patience { get; }
    /// <summary>Epochs of rest after a reduction.</summary>
    public int Cooldown { get; }
    /// <summary>The lower bound of the learning rate.</summary>
    public double MinLr { get; }
    /// <summary>The epochs (0-based) at whose end the learning rate was reduced, in this run.</summary>
    public IReadOnlyList<int> Reductions => reductions;
    readonly List<int> reductions = [];

    /// <inheritdoc />
    public override void OnTrainBegin(Logs logs)
    {
        base.OnTrainBegin(logs);
        wait = 0;
        cooldownCounter = 0;
        reductions.Clear();
    }

    /// <inheritdoc />
    public override void OnEpochEnd(int epoch, Logs logs)
    {
        if (MonitorValue(logs) is not double current) return;
        if (cooldownCounter > 0) { cooldownCounter--; wait = 0; }
        if (IsImprovement(current, Best))
        {
            Best = current;
            wait = 0;
            return;
        }
        if (cooldownCounter > 0) return;
        if (++wait < Patience) return;
        var optimizer = Model.Optimizer;
        double old = optimizer.LearningRate;
        // Compared in single precision, as Keras does, so a rate already at minLr (up to float rounding) is left alone.
        if ((float)old <= (float)MinLr) return;
        double next = Math.Max(old * Factor, MinLr);
        if (next <= 0) return; // minLr 0 and an underflow: the optimizer rejects a zero rate
        optimizer.LearningRate = next;
        reductions.Add(epoch);
        if (verbose > 0) MessageOut.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Epoch {epoch + 1}: ReduceLROnPlateau reducing learning rate to {next:G6}."));
        cooldownCounter = Cooldown;
        wait = 0;
    }
}
