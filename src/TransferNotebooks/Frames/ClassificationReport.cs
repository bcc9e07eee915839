using System.Globalization;
using System.Text;
using Deedle;
using TransferNotebooks.Data;
using TransferNotebooks.Models;

namespace TransferNotebooks.Frames;

/// <summary>One row of a <see cref="ClassificationReport"/>.</summary>
/// <param name="Label">The class name, or <c>macro avg</c> / <c>weighted avg</c>.</param>
/// <param name="Precision">Of the samples predicted as this class, the fraction that are (0 when none was predicted, as scikit-learn's zero_division=0).</param>
/// <param name="Recall">Of the samples of this class, the fraction predicted as it (0 when the class has no samples).</param>
/// <param name="F1">The harmonic mean of precision and recall (0 when both are 0).</param>
/// <param name="Support">How many samples truly belong to the class (all samples for the averages).</param>
public sealed record ClassMetrics(string Label, double Precision, double Recall, double F1, long Support);

/// <summary>
/// Precision, recall, F1 and support per class with accuracy, macro and weighted averages: scikit-learn's
/// <c>classification_report</c>. <see cref="ToFrame"/> gives the same table as a Deedle frame, <see cref="ToString"/> as text.
/// </summary>
/// <param name="Classes">One row per class, in label order.</param>
/// <param name="Accuracy">The fraction of correct predictions.</param>
/// <param name="MacroAverage">The unweighted mean over classes.</param>
/// <param name="WeightedAverage">The mean over classes weighted by support.</param>
public sealed record ClassificationReport(IReadOnlyList<ClassMetrics> Classes, double Accuracy, ClassMetrics MacroAverage, ClassMetrics WeightedAverage)
{
    /// <summary>The number of samples.</summary>
    public long Samples => MacroAverage.Support;

    /// <summary>Computes the report from true and predicted labels.</summary>
    /// <param name="yTrue">True class labels.</param>
    /// <param name="yPred">Predicted class labels (same length).</param>
    /// <param name="classNames">Names for labels 0..k-1; by default the labels present (true or predicted), as numbers.</param>
    /// <exception cref="ArgumentException">Lengths differ, no samples, or a label has no name.</exception>
    public static ClassificationReport Compute(IEnumerable<long> yTrue, IEnumerable<long> yPred, IEnumerable<string>? classNames = null)
    {
        var cm = ConfusionMatrix.Compute(yTrue, yPred, classNames);
        int k = cm.Labels.Count;
        var rows = new List<ClassMetrics>(k);
        for (int c = 0; c < k; c++)
        {
            long tp = cm.Counts[c, c], predicted = 0, actual = 0;
            for (int j = 0; j < k; j++) { predicted += cm.Counts[j, c]; actual += cm.Counts[c, j]; }
            double precision = predicted == 0 ? 0 : (double)tp / predicted;
            double recall = actual == 0 ? 0 : (double)tp / actual;
            double f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
            rows.Add(new ClassMetrics(cm.Names[c], precision, recall, f1, actual));
        }
        long total = cm.Total;
        var macro = new ClassMetrics("macro avg", rows.Average(r => r.Precision), rows.Average(r => r.Recall), rows.Average(r => r.F1), total);
        double W(Func<ClassMetrics, double> f) => total == 0 ? 0 : rows.Sum(r => f(r) * r.Support) / total;
        var weighted = new ClassMetrics("weighted avg", W(r => r.Precision), W(r => r.Recall), W(r => r.F1), total);
        return new ClassificationReport(rows, cm.Accuracy, macro, weighted);
    }

    /// <summary>Computes the report from <c>int</c> labels.</summary>
    /// <inheritdoc cref="Compute(IEnumerable{long}, IEnumerable{long}, IEnumerable{string}?)"/>
    public static ClassificationReport Compute(IEnumerable<int> yTrue, IEnumerable<int> yPred, IEnumerable<string>? classNames = null) =>
        Compute(yTrue.Select(v => (long)v), yPred.Select(v => (long)v), classNames);

    /// <summary>Predicts <paramref name="data"/> with <paramref name="model"/> and reports against its labels.</summary>
    public static ClassificationReport Compute(KerasModel model, Dataset data, IEnumerable<string>? classNames = null, int batchSize = 256)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        return Compute(data.Labels, model.PredictClasses(data.X, batchSize), classNames);
    }

    /// <summary>
    /// The report as a frame: one row per class, then <c>accuracy</c> (its value in the f1-score column, as scikit-learn prints it),
    /// <c>macro avg</c> and <c>weighted avg</c>; columns <c>precision</c>, <c>recall</c>, <c>f1-score</c>, <c>support</c>.
    /// </summary>
    public Frame<string, string> ToFrame()
    {
        var keys = Classes.Select(c => c.Label).Append("accuracy").Append(MacroAverage.Label).Append(WeightedAverage.Label).ToArray();
        IEnumerable<double> Col(Func<ClassMetrics, double> f, double accuracyCell) =>
            Classes.Select(f).Append(accuracyCell).Append(f(MacroAverage)).Append(f(WeightedAverage));
        var builder = new FrameBuilder.Columns<string, string>();
        builder.Add("precision", new Series<string, double>(keys, Col(r => r.Precision, double.NaN)));
        builder.Add("recall", new Series<string, double>(keys, Col(r => r.Recall, double.NaN)));
        builder.Add("f1-score", new Series<string, double>(keys, Col(r => r.F1, Accuracy)));
        builder.Add("support", new Series<string, double>(keys, Col(r => r.Support, Samples)));
        return builder.Frame;
    }

    /// <summary>The report as scikit-learn prints it.</summary>
    public override string ToString()
    {
        int w = Math.Max(12, Classes.Max(c => c.Label.Length) + 2);
        var sb = new StringBuilder();
        string F(double v) => v.ToString("0.00", CultureInfo.InvariantCulture).PadLeft(10);
        string S(long v) => v.ToString(CultureInfo.InvariantCulture).PadLeft(10);
        sb.Append("".PadLeft(w)).Append("precision".PadLeft(10)).Append("recall".PadLeft(10)).Append("f1-score".PadLeft(10)).Append("support".PadLeft(10)).AppendLine().AppendLine();
        foreach (var c in Classes) sb.Append(c.Label.PadLeft(w)).Append(F(c.Precision)).Append(F(c.Recall)).Append(F(c.F1)).Append(S(c.Support)).AppendLine();
        sb.AppendLine();
        sb.Append("accuracy".PadLeft(w)).Append("".PadLeft(20)).Append(F(Accuracy)).Append(S(Samples)).AppendLine();
        foreach (var c in new[] { MacroAverage, WeightedAverage })
            sb.Append(c.Label.PadLeft(w)).Append(F(c.Precision)).Append(F(c.Recall)).Append(F(c.F1)).Append(S(c.Support)).AppendLine();
        return sb.ToString();
    }
}
