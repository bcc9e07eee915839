using Deedle;
using TransferNotebooks.Data;
using TransferNotebooks.Models;
using static TorchSharp.torch;

namespace TransferNotebooks.Frames;

/// <summary>One sample's prediction.</summary>
/// <param name="Index">The sample's position in the dataset.</param>
/// <param name="True">The true class.</param>
/// <param name="Predicted">The predicted class (arg-max; 0.5 threshold for one sigmoid output).</param>
/// <param name="Confidence">The probability given to the predicted class.</param>
/// <param name="Loss">The sample's cross-entropy, <c>-ln p(true class)</c> (probabilities clipped at 1e-7 as Keras does).</param>
/// <param name="Probability">The probability given to the true class.</param>
public sealed record Prediction(int Index, long True, long Predicted, double Confidence, double Loss, double Probability)
{
    /// <summary>True when the prediction is right.</summary>
    public bool Correct => True == Predicted;
}

/// <summary>Per-sample predictions with confidence and loss: the input of top-losses views and error analysis.</summary>
public static class Predictions
{
    const double Epsilon = 1e-7;

    /// <summary>Predicts every sample of <paramref name="data"/> with <paramref name="model"/>.</summary>
    public static IReadOnlyList<Prediction> Of(KerasModel model, Dataset data, int batchSize = 256)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        using var scope = NewDisposeScope();
        var output = model.Predict(data.X, batchSize).to_type(ScalarType.Float32);
        var flat = output.reshape(output.shape[0], -1);
        int n = (int)flat.shape[0], k = (int)flat.shape[1];
        var values = flat.data<float>().ToArray();
        var rows = new double[n][];
        for (int i = 0; i < n; i++)
        {
            rows[i] = new double[k];
            for (int j = 0; j < k; j++) rows[i][j] = values[i * k + j];
        }
        return FromProbabilities(rows, data.Labels);
    }

    /// <summary>
    /// From model outputs, one row per sample: class probabilities (softmax rows), or a single probability of class 1 (sigmoid).
    /// Rows that are not probabilities (negative, above 1, or not summing to 1) are taken as logits and squashed first.
    /// </summary>
    /// <exception cref="ArgumentException">Row and label counts differ, or rows have different lengths.</exception>
    public static IReadOnlyList<Prediction> FromProbabilities(IEnumerable<IEnumerable<double>> outputs, IEnumerable<long> labels)
    {
        ArgumentNullException.ThrowIfNull(outputs);
        ArgumentNullException.ThrowIfNull(labels);
        var rows = outputs.Select(r => r.ToArray()).ToList();
        var y = labels.ToArray();
        if (rows.Count != y.Length) throw new ArgumentException($"{rows.Count} output rows but {y.Length} labels; they must pair up sample by sample.", nameof(labels));
        if (rows.Count == 0) return [];
        int k = rows[0].Length;
        if (k == 0 || rows.Any(r => r.Length != k)) throw new ArgumentException("Every output row must have the same, non-zero length.", nameof(outputs));
        bool logits = rows.Any(r => r.Any(v => v < 0 || v > 1) || (k > 1 && Math.Abs(r.Sum() - 1) > 1e-3));
        var result = new List<Prediction>(rows.Count);
        for (int i = 0; i < rows.Count; i++)
        {
            var p = k == 1 ? Binary(rows[i][0], logits) : Softmax(rows[i], logits);
            long truth = y[i];
            if (truth < 0 || truth >= p.Length) throw new ArgumentException($"Label {truth} of sample {i} is outside the {p.Length} classes of the outputs.", nameof(labels));
            int predicted = 0;
            for (int j = 1; j < p.Length; j++) if (p[j] > p[predicted]) predicted = j;
            double pTrue = p[truth];
            result.Add(new Prediction(i, truth, predicted, p[predicted], -Math.Log(Math.Clamp(pTrue, Epsilon, 1 - Epsilon)), pTrue));
        }
        return result;
    }

    /// <summary>From a .NET array of outputs [samples, outputs] (what <c>model.Predict(float[,])</c> returns).</summary>
    public static IReadOnlyList<Prediction> FromProbabilities(float[,] outputs, IEnumerable<long> labels)
    {
        ArgumentNullException.ThrowIfNull(outputs);
        int n = outputs.GetLength(0), k = outputs.GetLength(1);
        return FromProbabilities(Enumerable.Range(0, n).Select(i => Enumerable.Range(0, k).Select(j => (double)outputs[i, j])), labels);
    }

    /// <summary>From the probability of the positive class of a binary classifier (for example an IMDB sentiment model).</summary>
    public static IReadOnlyList<Prediction> FromBinary(IEnumerable<double> positiveProbability, IEnumerable<long> labels) =>
        FromProbabilities(positiveProbability.Select(p => (IEnumerable<double>)[p]), labels);

    /// <summary>The highest losses first: the most confidently wrong predictions (fastai's <c>top_losses</c>).</summary>
    public static IReadOnlyList<Prediction> TopLosses(this IEnumerable<Prediction> predictions, int count = 9) =>
        predictions.OrderByDescending(p => p.Loss).ThenBy(p => p.Index).Take(count).ToList();

    /// <summary>A frame indexed by sample with columns <c>true</c>, <c>predicted</c>, <c>confidence</c>, <c>loss</c>, <c>correct</c>.</summary>
    public static Frame<int, string> ToFrame(this IEnumerable<Prediction> predictions)
    {
        ArgumentNullException.ThrowIfNull(predictions);
        var list = predictions.ToList();
        var index = list.Select(p => p.Index).ToArray();
        var builder = new FrameBuilder.Columns<int, string>();
        builder.Add("true", new Series<int, long>(index, list.Select(p => p.True)));
        builder.Add("predicted", new Series<int, long>(index, list.Select(p => p.Predicted)));
        builder.Add("confidence", new Series<int, double>(index, list.Select(p => p.Confidence)));
        builder.Add("loss", new Series<int, double>(index, list.Select(p => p.Loss)));
        builder.Add("correct", new Series<int, bool>(index, list.Select(p => p.Correct)));
        return builder.Frame;
    }

    static double[] Binary(double v, bool logit)
    {
        double p = logit ? 1 / (1 + Math.Exp(-v)) : v;
        return [1 - p, p];
    }

    static double[] Softmax(double[] row, bool logits)
    {
        if (!logits) return row;
        double max = row.Max();
        var e = row.Select(v => Math.Exp(v - max)).ToArray();
        double sum = e.Sum();
        return e.Select(v => v / sum).ToArray();
    }
}
