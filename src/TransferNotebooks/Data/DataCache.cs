namespace TransferNotebooks.Data;

/// <summary>
/// Where downloaded datasets are kept, as Keras keeps them under <c>~/.keras/datasets</c>.
/// </summary>
/// <remarks>
/// The directory is chosen in this order: the <c>cacheDir</c> argument of a loader, the environment variable
/// <see cref="EnvironmentVariable"/> (<c>TRANSFERNOTEBOOKS_DATA</c>), then <see cref="DefaultRoot"/>
/// (<c>~/.transfernotebooks/datasets</c>). Each dataset uses a subfolder (<c>mnist</c>, <c>imdb</c>).
/// Files enter the cache only after their hash has been checked (written to a temporary file, then renamed).
/// </remarks>
public static partial class DataCache
{
    /// <summary>The environment variable that overrides the default cache directory.</summary>
    public const string EnvironmentVariable = "TRANSFERNOTEBOOKS_DATA";

    /// <summary>The default cache directory: <c>~/.transfernotebooks/datasets</c> under the user's home.</summary>
    public static string DefaultRoot =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".transfernotebooks", "datasets");

    /// <summary>
    /// <paramref name="message"/> with every absolute path shortened to its file name, for the lines a successful load logs:
    /// notebooks show them, and committed outputs should name data by dataset and file, not by the folders of the machine
    /// that ran them. Errors keep full paths (the user needs them to act).
    /// </summary>
    internal static string FileNamesOnly(string message) => AbsolutePath().Replace(message, m => m.Groups["name"].Value);

    [System.Text.RegularExpressions.GeneratedRegex(@"(?<=^|[\s'(])(?:[A-Za-z]:)?(?:[\\/][^\\/\s'()]+)*[\\/](?<name>[^\\/\s'(),]+)")]
    private static partial System.Text.RegularExpressions.Regex AbsolutePath();

    /// <summary>
    /// Where loaders write their one-line messages (which files were used, downloads). Standard output by default;
    /// set it to <c>_ =&gt; { }</c> to silence them.
    /// </summary>
    public static Action<string> Log { get; set; } = message => Console.WriteLine(message);

    /// <summary>The cache root in effect: <paramref name="cacheDir"/> if given, else the environment variable, else <see cref="DefaultRoot"/>.</summary>
    public static string Root(string? cacheDir = null)
    {
        if (!string.IsNullOrWhiteSpace(cacheDir)) return Path.GetFullPath(ExpandHome(cacheDir));
        var env = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(env)) return Path.GetFullPath(ExpandHome(env));
        return DefaultRoot;
    }

    /// <summary>The folder of one dataset inside the cache root (not created).</summary>
    /// <param name="dataset">The dataset's folder name, for example <c>mnist</c>.</param>
    /// <param name="cacheDir">An explicit cache root, or null for the default rules.</param>
    public static string DatasetDirectory(string dataset, string? cacheDir = null) => Path.Combine(Root(cacheDir), dataset);

    /// <summary>How the cache root was chosen, for error messages.</summary>
    internal static string RootExplanation(string? cacheDir) =>
        !string.IsNullOrWhiteSpace(cacheDir) ? "the cacheDir argument"
        : !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(EnvironmentVariable)) ? $"the {EnvironmentVariable} environment variable"
        : $"the default (set {EnvironmentVariable} or pass cacheDir: to change it)";

    static string ExpandHome(string path) =>
        path == "~" || path.StartsWith("~/", StringComparison.Ordinal) || path.StartsWith("~\\", StringComparison.Ordinal)
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), path.Length > 2 ? path[2..] : "")
            : path;
}
