using System.Net;
using Plotly.NET;
using TransferNotebooks.Frames;

namespace TransferNotebooks.Charts;

public static partial class Plot
{
    /// <summary>
    /// The texts a binary classifier got most wrong (for example IMDB reviews): a table of the highest-loss samples with the true
    /// label, the predicted probability of the positive class, the loss and the (decoded) text, cut to <paramref name="maxChars"/>.
    /// </summary>
    /// <param name="texts">The decoded texts, one per sample.</param>
    /// <param name="labels">True labels (0 = negative, 1 = positive).</param>
    /// <param name="positiveProbability">The model's probability of label 1 for each sample.</param>
    /// <param name="count">How many rows.</param>
    /// <param name="maxChars">Texts longer than this are cut (with an ellipsis).</param>
    /// <param name="classNames">Names of labels 0 and 1.</param>
    /// <param name="title">The chart title.</param>
    /// <exception cref="ArgumentException">The three sequences differ in length.</exception>
    public static GenericChart WorstReviews(IEnumerable<string> texts, IEnumerable<long> labels, IEnumerable<double> positiveProbability,
        int count = 10, int maxChars = 400, IEnumerable<string>? classNames = null, string title = "Reviews the model got most wrong")
    {
        ArgumentNullException.ThrowIfNull(texts);
        var t = texts.ToList();
        var y = labels.ToList();
        var p = positiveProbability.ToList();
        if (t.Count != y.Count || y.Count != p.Count)
            throw new ArgumentException($"texts ({t.Count}), labels ({y.Count}) and probabilities ({p.Count}) must pair up sample by sample.", nameof(texts));
        var names = (classNames ?? ["negative", "positive"]).ToList();
        var worst = Predictions.FromBinary(p, y).TopLosses(count);
        string Cut(string s) => s.Length <= maxChars ? s : s[..maxChars].TrimEnd() + "…";
        // Table cells are rendered as (a subset of) HTML by plotly.js: escape the text.
        var columns = new object[]
        {
            worst.Select(w => names[(int)w.True]).ToArray(),
            worst.Select(w => Figure.Num(p[w.Index], "0.000")).ToArray(),
            worst.Select(w => Figure.Num(w.Loss, "0.00")).ToArray(),
            worst.Select(w => WebUtility.HtmlEncode(Cut(t[w.Index]))).ToArray(),
        };
        var table = Figure.Trace("table",
            ("columnwidth", new[] { 70, 80, 50, 600 }),
            ("header", Figure.Obj(("values", new[] { "<b>true</b>", $"<b>p({names[1]})</b>", "<b>loss</b>", "<b>text</b>" }),
                ("align", "left"), ("fill", Figure.Obj(("color", "#1f77b4"))), ("font", Figure.Obj(("color", "white"), ("size", 13))), ("height", 30))),
            ("cells", Figure.Obj(("values", columns), ("align", new[] { "left", "right", "right", "left" }),
                ("fill", Figure.Obj(("color", new[] { Enumerable.Range(0, worst.Count).Select(i => i % 2 == 0 ? "#f7f7f7" : "white").ToArray() }))),
                ("font", Figure.Obj(("size", 12))), ("height", 26))));
        var layout = Figure.Layout(title, 1000, 130 + worst.Sum(w => 18 + 16 * (int)Math.Ceiling(Math.Min(maxChars + 1, t[w.Index].Length) / 105.0)),
            ("margin", Figure.Obj(("l", 20), ("r", 20), ("t", 70), ("b", 20))));
        return Figure.Chart([table], layout);
    }
}
