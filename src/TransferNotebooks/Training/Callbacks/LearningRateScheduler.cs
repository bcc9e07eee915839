using System.Globalization;

namespace TransferNotebooks.Training.Callbacks;

/// <summary>
/// Sets the learning rate at the start of each epoch from a schedule (Keras's <c>LearningRateScheduler</c>):
/// <c>schedule(epoch, currentRate)</c> returns the rate for that epoch (epochs are 0-based). The rate used shows in
/// <see cref="History"/>'s <c>learning_rate</c>. <see cref="Cosine"/> and <see cref="Step"/> build common schedules.
/// </summary>
/// <example>
/// C#: <c>new LearningRateScheduler((epoch, lr) =&gt; epoch &lt; 3 ? lr : lr * 0.9)</c>;
/// F#: <c>LearningRateScheduler(fun epoch lr -&gt; if epoch &lt; 3 then lr else lr * 0.9)</c>.
/// </example>
public sealed class LearningRateScheduler : Callback
{
    readonly int verbose;
    readonly TextWriter? log;

    /// <summary>Creates the callback.</summary>
    /// <param name="schedule">Maps (0-based epoch, current learning rate) to the learning rate for that epoch.</param>
    /// <param name="verbose">1 prints each change.</param>
    /// <param name="log">Where messages go (standard output by default).</param>
    public LearningRateScheduler(Func<int, double, double> schedule, int verbose = 0, TextWriter? log = null)
    {
        Schedule = schedule ?? throw new ArgumentNullException(nameof(schedule));
        this.verbose = verbose;
        this.log = log;
    }

    /// <summary>The schedule.</summary>
    public Func<int, double, double> Schedule { get; }

    /// <inheritdoc />
    public override void OnEpochBegin(int epoch, Logs logs)
    {
        var optimizer = Model.Optimizer;
        double old = optimizer.LearningRate;
        double next = Schedule(epoch, old);
        if (!(next > 0) || double.IsInfinity(next))
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"The learning-rate schedule returned {next} for epoch {epoch}; it must return a positive finite number."));
        optimizer.LearningRate = next;
        if (verbose > 0 && next != old) (log ?? Console.Out).WriteLine(string.Create(CultureInfo.InvariantCulture, $"Epoch {epoch + 1}: LearningRateScheduler setting learning rate to {next:G6}."));
    }

    /// <summary>
    /// Cosine decay (Keras's <c>CosineDecay</c>, per epoch) with an optional linear warm-up: the rate rises linearly from
    /// <paramref name="initialLearningRate"/>/<paramref name="warmupEpochs"/> to <paramref name="initialLearningRate"/> over the warm-up epochs,
    /// then follows half a cosine down to <paramref name="alpha"/> × <paramref name="initialLearningRate"/> over
    /// <paramref name="decayEpochs"/> epochs, and stays there.
    /// </summary>
    /// <param name="initialLearningRate">The peak rate.</param>
    /// <param name="decayEpochs">Epochs over which the rate decays (after the warm-up).</param>
    /// <param name="alpha">The final rate as a fraction of the peak.</param>
    /// <param name="warmupEpochs">Epochs of linear warm-up before the decay.</param>
    /// <param name="verbose">1 prints each change.</param>
    public static LearningRateScheduler Cosine(double initialLearningRate, int decayEpochs, double alpha = 0, int warmupEpochs = 0, int verbose = 0)
    {
        if (!(initialLearningRate > 0)) throw new ArgumentOutOfRangeException(nameof(initialLearningRate), initialLearningRate, "initialLearningRate must be positive.");
        if (decayEpochs <= 0) throw new ArgumentOutOfRangeException(nameof(decayEpochs), decayEpochs, "decayEpochs must be positive.");
        if (!(alpha is >= 0 and <= 1)) throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "alpha must be in [0, 1].");
        if (warmupEpochs < 0) throw new ArgumentOutOfRangeException(nameof(warmupEpochs), warmupEpochs, "warmupEpochs must be 0 or more.");
        double Rate(int epoch, double _)
        {
            if (epoch < warmupEpochs) return initialLearningRate * (epoch + 1) / warmupEpochs;
            double t = Math.Min(epoch - warmupEpochs, decayEpochs) / (double)decayEpochs;
            double decayed = (1 - alpha) * 0.5 * (1 + Math.Cos(Math.PI * t)) + alpha;
            // At the very end with alpha 0 the rate would be 0, which no optimizer accepts: keep a tiny positive floor.
            return Math.Max(initialLearningRate * decayed, initialLearningRate * 1e-9);
        }
        return new LearningRateScheduler(Rate, verbose);
    }

    /// <summary>
    /// Step decay: <paramref name="initialLearningRate"/> × <paramref name="factor"/>^(epoch / <paramref name="dropEvery"/>), so the
    /// rate is multiplied by <paramref name="factor"/> every <paramref name="dropEvery"/> epochs.
    /// </summary>
    /// <param name="initialLearningRate">The rate of the first epochs.</param>
    /// <param name="dropEvery">Epochs between drops.</param>
    /// <param name="factor">The multiplier at each drop, in (0, 1].</param>
    /// <param name="verbose">1 prints each change.</param>
    public static LearningRateScheduler Step(double initialLearningRate, int dropEvery, double factor = 0.5, int verbose = 0)
    {
        if (!(initialLearningRate > 0)) throw new ArgumentOutOfRangeException(nameof(initialLearningRate), initialLearningRate, "initialLearningRate must be positive.");
        if (dropEvery <= 0) throw new ArgumentOutOfRangeException(nameof(dropEvery), dropEvery, "dropEvery must be positive.");
        if (!(factor is > 0 and <= 1)) throw new ArgumentOutOfRangeException(nameof(factor), factor, "factor must be in (0, 1].");
        return new LearningRateScheduler((epoch, _) => initialLearningRate * Math.Pow(factor, epoch / dropEvery), verbose);
    }
}
