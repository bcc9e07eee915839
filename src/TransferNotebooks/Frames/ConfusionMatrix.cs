using Deedle;
using TransferNotebooks.Data;
using TransferNotebooks.Models;

namespace TransferNotebooks.Frames;

/// <summary>
/// Counts of (true class, predicted class) pairs: row = true label, column = predicted label, as scikit-learn's
/// <c>confusion_matrix</c>. Draw it with <c>Plot.ConfusionMatrix</c>.
/// </summary>
/// <param name="Labels">The class labels, in row/column order.</param>
/// <param name="Names">The display name of each label.</param>
/// <param name="Counts">Counts[true, predicted].</param>
public sealed record ConfusionMatrix(IReadOnlyList<long> Labels, IReadOnlyList<string> Names, long[,] Counts)
{
    /// <summary>The number of samples counted (the sum of all cells).</summary>
    public long Total => Counts.Cast<long>().Sum();

    /// <summary>The fraction on the diagonal.</summary>
    public double Accuracy => Total == 0 ? double.NaN : (double)Enumerable.Range(0, Labels.Count).Sum(i => Counts[i, i]) / Total;

    /// <summary>Each row divided by its sum (the recall of each true class on the diagonal); rows without samples stay 0.</summary>
    public double[,] Normalized()
    {
        int k = Labels.Count;
        var result = new double[k, k];
        for (int i = 0; i < k; i++)
        {
            long row = 0;
            for (int j = 0; j < k; j++) row += Counts[i, j];
            for (int j = 0; j < k; j++) result[i, j] = row == 0 ? 0 : (double)Counts[i, j] / row;
        }
        return result;
    }

    /// <summary>Counts (or row-normalised fractions) as a frame: rows are true labels, columns predicted labels, keyed by name.</summary>
    public Frame<string, string> ToFrame(bool normalize = false)
    {
        var norm = normalize ? Normalized() : null;
        var builder = new FrameBuilder.Columns<string, string>();
        for (int j = 0; j < Labels.Count; j++)
            builder.Add(Names[j], new Series<string, double>(Names, Enumerable.Range(0, Labels.Count).Select(i => norm is null ? Counts[i, j] : norm[i, j])));
        return builder.Frame;
    }

    /// <summary>Counts the pairs of <paramref name="yTrue"/> and <paramref name="yPred"/>.</summary>
    /// <param name="yTrue">True class labels.</param>
    /// <param name="yPred">Predicted class labels (same length).</param>
    /// <param name="classNames">Names for labels 0..k-1 (their count fixes k); by default the labels present, printed as numbers.</param>
    /// <exception cref="ArgumentException">Lengths differ, or a label has no name.</exception>
    public static ConfusionMatrix Compute(IEnumerable<long> yTrue, IEnumerable<long> yPred, IEnumerable<string>? classNames = null)
    {
        var (t, p, labels, names) = ClassLabels.Resolve(yTrue, yPred, classNames);
        var index = labels.Select((l, i) => (l, i)).ToDictionary(x => x.l, x => x.i);
        var counts = new long[labels.Count, labels.Count];
        for (int s = 0; s < t.Length; s++) counts[index[t[s]], index[p[s]]]++;
        return new ConfusionMatrix(labels, names, counts);
    }

    /// <summary>Counts from <c>int</c> labels.</summary>
    /// <inheritdoc cref="Compute(IEnumerable{long}, IEnumerable{long}, IEnumerable{string}?)"/>
    public static ConfusionMatrix Compute(IEnumerable<int> yTrue, IEnumerable<int> yPred, IEnumerable<string>? classNames = null) =>
        Compute(yTrue.Select(v => (long)v), yPred.Select(v => (long)v), classNames);

    /// <summary>Predicts <paramref name="data"/> with <paramref name="model"/> and counts against its labels.</summary>
    public static ConfusionMatrix Compute(KerasModel model, Dataset data, IEnumerable<string>? classNames = null, int batchSize = 256)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        return Compute(data.Labels, model.PredictClasses(data.X, batchSize), classNames);
    }
}
