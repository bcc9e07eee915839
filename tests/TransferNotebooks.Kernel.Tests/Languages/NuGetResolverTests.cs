using System.IO.Compression;
using System.Text;
using TransferNotebooks.Kernel.Languages;

namespace TransferNotebooks.Kernel.Tests.Languages;

public sealed class NuGetResolverTests : IDisposable
{
    readonly string folder = Path.Combine(Path.GetTempPath(), "tn-nuget-config-" + Guid.NewGuid().ToString("N"));

    public NuGetResolverTests() => Directory.CreateDirectory(folder);

    public void Dispose() => Directory.Delete(folder, true);

    /// <summary>A package with one (fake) assembly in a folder feed.</summary>
    static void WritePackage(string feed, string id, string version)
    {
        Directory.CreateDirectory(feed);
        using var zip = ZipFile.Open(Path.Combine(feed, $"{id}.{version}.nupkg"), ZipArchiveMode.Create);
        void Add(string name, string text)
        {
            using var w = new StreamWriter(zip.CreateEntry(name).Open(), new UTF8Encoding(false));
            w.Write(text);
        }
        Add($"{id}.nuspec", $"""
            <?xml version="1.0" encoding="utf-8"?>
            <package xmlns="http://schemas.microsoft.com/packaging/2013/05/nuspec.xsd">
              <metadata><id>{id}</id><version>{version}</version><authors>tests</authors><description>probe</description></metadata>
            </package>
            """);
        Add($"lib/net10.0/{id}.dll", "not really an assembly");
    }

    [Fact]
    public void Restore_uses_the_NuGet_config_of_the_notebook_folder_not_the_temporary_projects()
    {
        // The only source that has the package is named in the notebook folder's NuGet.config (which also clears every
        // other source and picks the packages folder): the restore succeeds only if that file is read.
        var id = "TnProbe" + Guid.NewGuid().ToString("N")[..8];
        WritePackage(Path.Combine(folder, "feed"), id, "1.2.3");
        File.WriteAllText(Path.Combine(folder, "NuGet.config"), """
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources><clear /><add key="probe" value="feed" /></packageSources>
              <config><add key="globalPackagesFolder" value="packages" /></config>
            </configuration>
            """);
        using var resolver = new NuGetResolver(folder);

        var assemblies = resolver.Resolve([(id, null)]);

        var dll = Assert.Single(assemblies);
        Assert.True(File.Exists(dll), dll);
        Assert.EndsWith(Path.Combine(id.ToLowerInvariant(), "1.2.3", "lib", "net10.0", id + ".dll"), dll);
        // NUGET_PACKAGES (set by the runners) outranks every NuGet.config; otherwise the config's packages folder is used.
        var packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } env ? env : Path.Combine(folder, "packages");
        Assert.StartsWith(Path.GetFullPath(packages), dll);
    }

    [Fact]
    public void Relative_sources_start_at_the_config_folder_which_roots_the_restore_settings()
    {
        using var resolver = new NuGetResolver(folder);
        resolver.AddSource("feed");

        var project = resolver.ProjectText();

        Assert.Contains($"<RestoreAdditionalProjectSources>{Path.Combine(folder, "feed")}</RestoreAdditionalProjectSources>", project);
        Assert.Contains($"<RestoreRootConfigDirectory>{folder}</RestoreRootConfigDirectory>", project);
    }
}
