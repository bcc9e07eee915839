using Deedle;
using TransferNotebooks.Training;

namespace TransferNotebooks.Frames;

/// <summary><see cref="EvaluationResult"/>s as Deedle frames.</summary>
public static class EvaluationFrame
{
    /// <summary>One row per quantity (<c>loss</c>, <c>accuracy</c>, ...) with its <c>value</c>.</summary>
    public static Frame<string, string> ToFrame(this EvaluationResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var builder = new FrameBuilder.Columns<string, string>();
        builder.Add("value", new Series<string, double>(result.Values.Keys, result.Values.Values));
        return builder.Frame;
    }

    /// <summary>Several evaluations side by side: one row per run (for example <c>scratch</c>, <c>fine-tune</c>), one column per quantity, plus <c>samples</c>.</summary>
    public static Frame<string, string> ToFrame(this IEnumerable<KeyValuePair<string, EvaluationResult>> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var list = results.ToList();
        var names = list.Select(r => r.Key).ToArray();
        var keys = list.SelectMany(r => r.Value.Values.Keys).Distinct().ToList();
        var builder = new FrameBuilder.Columns<string, string>();
        foreach (var k in keys)
            builder.Add(k, new Series<string, double>(names, list.Select(r => r.Value.Values.TryGetValue(k, out var v) ? v : double.NaN)));
        builder.Add("samples", new Series<string, int>(names, list.Select(r => r.Value.Samples)));
        return builder.Frame;
    }
}
