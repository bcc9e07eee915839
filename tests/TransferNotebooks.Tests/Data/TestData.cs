namespace TransferNotebooks.Tests.Data;

/// <summary>Paths of the in-repo fixtures, the optional shared real-data folder, and temporary folders for tests.</summary>
static class TestData
{
    public static string Fixtures => Path.Combine(AppContext.BaseDirectory, "fixtures");
    public static string MnistFixture => Path.Combine(Fixtures, "mnist");
    public static string ImdbFixture => Path.Combine(Fixtures, "imdb", "aclImdb-fixture.tar.gz");
    public const string ImdbFixtureSha256 = "50eee3af84bea1a18577f3ecf0eeadfaa4c5ffd5eb1988e9d813384d666c42c6";

    /// <summary>TRANSFERNOTEBOOKS_SHARED_DATA, else the first shared/data folder above the test binaries or the current directory; null when absent.</summary>
    public static string? Shared()
    {
        var env = Environment.GetEnvironmentVariable("TRANSFERNOTEBOOKS_SHARED_DATA");
        if (!string.IsNullOrWhiteSpace(env) && Directory.Exists(env)) return env;
        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
            for (var d = new DirectoryInfo(start); d is not null; d = d.Parent)
            {
                var candidate = Path.Combine(d.FullName, "shared", "data");
                if (Directory.Exists(candidate)) return candidate;
            }
        return null;
    }

    /// <summary>A fresh temporary folder, deleted on dispose.</summary>
    public static TempDir Temp() => new();

    public sealed class TempDir : IDisposable
    {
        public TempDir() => Path = Directory.CreateTempSubdirectory("tn-test-").FullName;
        public string Path { get; }
        public string Sub(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);
        /// <summary>All files under the folder, relative paths.</summary>
        public string[] Files() => Directory.EnumerateFiles(Path, "*", SearchOption.AllDirectories).Select(f => System.IO.Path.GetRelativePath(Path, f)).Order().ToArray();
        public void Dispose()
        {
            try { Directory.Delete(Path, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}
