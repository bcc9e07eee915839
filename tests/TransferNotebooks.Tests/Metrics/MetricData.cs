using TransferNotebooks.Metrics;
using static TorchSharp.torch;

namespace TransferNotebooks.Tests.Metrics;

/// <summary>Small, realistic-looking predictions, fed to a metric in batches as the training loop does.</summary>
internal static class MetricData
{
    /// <summary>Binary labels and sigmoid outputs of a middling classifier (one score exactly at 0.5, some ties).</summary>
    public static readonly float[] BinaryLabels = [1, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0, 1, 1, 0, 1, 0];
    public static readonly float[] BinaryScores = [0.91f, 0.12f, 0.48f, 0.77f, 0.55f, 0.30f, 0.50f, 0.05f, 0.66f, 0.70f, 0.30f, 0.30f, 0.88f, 0.41f, 0.23f, 0.50f];

    /// <summary>Feeds (labels, predictions) in batches of <paramref name="batch"/> rows and returns the result.</summary>
    public static double Run(Metric metric, Tensor yTrue, Tensor yPred, int batch)
    {
        metric.Reset();
        long n = yTrue.shape[0];
        for (long start = 0; start < n; start += batch)
        {
            long len = Math.Min(batch, n - start);
            using var t = yTrue.narrow(0, start, len);
            using var p = yPred.narrow(0, start, len);
            metric.Update(t, p);
        }
        return metric.Result();
    }

    /// <summary>The binary data as [N, 1] tensors (a Dense(1, sigmoid) output).</summary>
    public static (Tensor Labels, Tensor Scores) Binary() =>
        (tensor(BinaryLabels).reshape(-1, 1), tensor(BinaryScores).reshape(-1, 1));

    /// <summary>Counts by Keras's rule: a prediction is positive when strictly above the threshold, compared in float32 as Keras does.</summary>
    public static (int Tp, int Fp, int Fn, int Tn) Counts(double threshold)
    {
        int tp = 0, fp = 0, fn = 0, tn = 0;
        for (int i = 0; i < BinaryLabels.Length; i++)
        {
            bool predicted = BinaryScores[i] > (float)threshold, actual = BinaryLabels[i] > 0.5f;
            if (predicted && actual) tp++;
            else if (predicted) fp++;
            else if (actual) fn++;
            else tn++;
        }
        return (tp, fp, fn, tn);
    }

    /// <summary>Ten samples of softmax outputs over six classes (no ties within a row) and their integer labels.</summary>
    public static readonly float[][] Probabilities =
    [
        [0.05f, 0.60f, 0.10f, 0.15f, 0.06f, 0.04f],
        [0.30f, 0.25f, 0.20f, 0.10f, 0.09f, 0.06f],
        [0.02f, 0.03f, 0.05f, 0.80f, 0.06f, 0.04f],
        [0.18f, 0.17f, 0.16f, 0.19f, 0.14f, 0.16f - 0.001f],
        [0.40f, 0.05f, 0.35f, 0.07f, 0.08f, 0.05f - 0.001f],
        [0.11f, 0.12f, 0.13f, 0.14f, 0.15f, 0.35f],
        [0.70f, 0.10f, 0.08f, 0.06f, 0.04f, 0.02f],
        [0.09f, 0.21f, 0.22f, 0.23f, 0.24f, 0.01f],
        [0.01f, 0.02f, 0.03f, 0.04f, 0.05f, 0.85f],
        [0.33f, 0.32f, 0.31f, 0.02f, 0.015f, 0.005f],
    ];
    public static readonly long[] ClassLabels = [1, 1, 3, 2, 2, 0, 0, 0, 5, 2];

    public static Tensor ProbabilityTensor() => tensor(Probabilities.SelectMany(r => r).ToArray()).reshape(Probabilities.Length, 6);

    /// <summary>The rank of the label's score in its row (0: highest), counting strictly higher scores.</summary>
    public static int Rank(int i) => Probabilities[i].Count(s => s > Probabilities[i][ClassLabels[i]]);
}
