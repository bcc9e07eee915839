using System.Globalization;

namespace TransferNotebooks.Frames;

/// <summary>Shared checks for (true, predicted) label arrays: same length, the label set, and names.</summary>
internal static class ClassLabels
{
    internal static (long[] True, long[] Pred, IReadOnlyList<long> Labels, IReadOnlyList<string> Names) Resolve(
        IEnumerable<long> yTrue, IEnumerable<long> yPred, IEnumerable<string>? classNames)
    {
        ArgumentNullException.ThrowIfNull(yTrue);
        ArgumentNullException.ThrowIfNull(yPred);
        var t = yTrue.ToArray();
        var p = yPred.ToArray();
        if (t.Length != p.Length)
            throw new ArgumentException($"yTrue has {t.Length} labels but yPred has {p.Length}; they must pair up sample by sample.", nameof(yPred));
        if (t.Length == 0) throw new ArgumentException("No samples: the label arrays are empty.", nameof(yTrue));
        var names = classNames?.ToList();
        if (names is not null)
        {
            var outside = t.Concat(p).Where(l => l < 0 || l >= names.Count).Distinct().Order().ToList();
            if (outside.Count > 0)
                throw new ArgumentException($"{names.Count} class names were given (labels 0..{names.Count - 1}) but labels [{string.Join(", ", outside)}] occur.", nameof(classNames));
            return (t, p, Enumerable.Range(0, names.Count).Select(i => (long)i).ToList(), names);
        }
        var labels = t.Concat(p).Distinct().Order().ToList();
        return (t, p, labels, labels.Select(l => l.ToString(CultureInfo.InvariantCulture)).ToList());
    }
}
