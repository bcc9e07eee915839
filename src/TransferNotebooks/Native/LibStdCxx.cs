using System.Text;
using System.Text.RegularExpressions;

namespace TransferNotebooks.Native;

/// <summary>Finds the system C++ runtime (<c>libstdc++.so.6</c>) and the newest <c>GLIBCXX_</c> version it provides.</summary>
public static partial class LibStdCxx
{
    static readonly string[] CommonPaths =
    [
        "/usr/lib/x86_64-linux-gnu/libstdc++.so.6",
        "/lib/x86_64-linux-gnu/libstdc++.so.6",
        "/usr/lib64/libstdc++.so.6",
        "/usr/lib/aarch64-linux-gnu/libstdc++.so.6",
        "/usr/lib/libstdc++.so.6",
    ];

    /// <summary>The path of the libstdc++ this process uses (from <c>/proc/self/maps</c>), else the first common path that exists; null if none.</summary>
    public static string? FindPath()
    {
        try
        {
            if (File.Exists("/proc/self/maps"))
                foreach (var line in File.ReadLines("/proc/self/maps"))
                {
                    int i = line.IndexOf('/');
                    if (i >= 0 && line.EndsWith("libstdc++.so.6", StringComparison.Ordinal) || (i >= 0 && line.Contains("/libstdc++.so.6.", StringComparison.Ordinal)))
                        return line[i..].Trim();
                }
        }
        catch (IOException) { }
        return CommonPaths.FirstOrDefault(File.Exists);
    }

    /// <summary>The newest <c>GLIBCXX_3.4.N</c> version named in the library at <paramref name="path"/>, as N (for example 30), or null.</summary>
    public static int? MaxGlibcxxMinor(string path)
    {
        var text = Encoding.Latin1.GetString(File.ReadAllBytes(path));
        int? max = null;
        foreach (Match m in GlibcxxPattern().Matches(text))
        {
            int n = int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            if (max is null || n > max) max = n;
        }
        return max;
    }

    [GeneratedRegex(@"GLIBCXX_3\.4\.(\d+)\x00")]
    private static partial Regex GlibcxxPattern();
}
