using System.Runtime.CompilerServices;
using static TorchSharp.torch;

namespace TransferNotebooks.Metrics;

/// <summary>Area under the ROC curve for binary problems, computed exactly from all predictions of the epoch (ties averaged).</summary>
public sealed class Auc : Metric
{
    internal static void RegisterAuc()
    {
        MetricRegistry.Register("auc", () => new Auc());
    }

    readonly List<float> scores = [];
    readonly List<float> labels = [];

    /// <summary>Creates the metric.</summary>
    public Auc() => Name = "auc";

    /// <inheritdoc />
    public override string KerasClassName => "AUC";

    /// <inheritdoc />
    public override void Reset()
    {
        scores.Clear();
        labels.Clear();
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void Update(Tensor yTrue, Tensor yPred)
    {
        using var p = yPred.reshape(-1).to_type(ScalarType.Float32).cpu();
        using var t = yTrue.reshape(-1).to_type(ScalarType.Float32).cpu();
        scores.AddRange(p.data<float>());
        labels.AddRange(t.data<float>());
    }

    /// <inheritdoc />
    public override double Result()
    {
        // Mann-Whitney U: AUC = (sum of positive ranks - P(P+1)/2) / (P * N), ranks averaged over ties.
        int n = scores.Count;
        var order = Enumerable.Range(0, n).OrderBy(i => scores[i]).ToArray();
        var ranks = new double[n];
        for (int i = 0; i < n;)
        {
            int j = i;
            while (j + 1 < n && scores[order[j + 1]] == scores[order[i]]) j++;
            double avg = (i + j) / 2.0 + 1;
            for (int k = i; k <= j; k++) ranks[order[k]] = avg;
            i = j + 1;
        }
        double pos = 0, rankSum = 0;
        for (int i = 0; i < n; i++) if (labels[i] > 0.5f) { pos++; rankSum += ranks[i]; }
        double neg = n - pos;
        return pos == 0 || neg == 0 ? 0 : (rankSum - pos * (pos + 1) / 2) / (pos * neg);
    }
}

/// <summary>Queues <see cref="Auc"/>'s registration for the first registry lookup (see <see cref="PendingRegistrations"/>).</summary>
internal static class AucRegisterAucQueue
{
    [ModuleInitializer] internal static void Queue() => PendingRegistrations.Defer(static () => Auc.RegisterAuc());
}
