namespace TransferNotebooks;

/// <summary>The one place that words "unknown name" errors for every registry (activations, losses, metrics, optimizers, layers).</summary>
internal static class NameSuggestions
{
    /// <summary>An error naming what was given, the nearest valid name, and all valid names.</summary>
    public static ArgumentException Unknown(string kind, string given, IEnumerable<string> valid)
    {
        var list = valid.Distinct(StringComparer.OrdinalIgnoreCase).Order().ToList();
        var nearest = list.OrderBy(v => Levenshtein(v.ToLowerInvariant(), given.ToLowerInvariant())).FirstOrDefault();
        return new ArgumentException($"Unknown {kind} '{given}'." + (nearest is null ? "" : $" Did you mean '{nearest}'?")
            + $" Valid {kind} names: {string.Join(", ", list)}.");
    }

    /// <summary>Edit distance between two strings.</summary>
    public static int Levenshtein(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (int j = 0; j <= b.Length; j++) d[0, j] = j;
        for (int i = 1; i <= a.Length; i++)
            for (int j = 1; j <= b.Length; j++)
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
        return d[a.Length, b.Length];
    }
}
