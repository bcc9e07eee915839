using System.Diagnostics;
using System.Security;
using System.Text;
using System.Text.Json;

namespace TransferNotebooks.Kernel.Languages;

/// <summary>
/// Resolves <c>#r "nuget: Name, Version"</c> for C#: writes a temporary project with every package asked for so far
/// (so versions unify across cells), runs <c>dotnet restore</c>, and reads the runtime assemblies from
/// obj/project.assets.json. Sources from <c>#i "nuget: folder"</c> are added to the restore. The NuGet configuration is
/// the one that applies to <see cref="ConfigDirectory"/> (the notebook's or script's folder), not to the temporary
/// project's: NuGet reads the NuGet.config files from that folder up to the root, then the user's and the machine's, as
/// <c>dotnet restore</c> run in that folder would (sources, package source mapping, credentials, packages folder).
/// </summary>
public sealed class NuGetResolver(string configDirectory) : IDisposable
{
    readonly string directory = Path.Combine(Path.GetTempPath(), "tn-kernel-nuget", Guid.NewGuid().ToString("N"));
    readonly Dictionary<string, string> packages = new(StringComparer.OrdinalIgnoreCase);
    readonly List<string> sources = [];

    /// <summary>The folder whose NuGet configuration hierarchy the restore uses.</summary>
    public string ConfigDirectory { get; } = Path.GetFullPath(configDirectory);

    /// <summary>Adds a package source (a feed URL, or a local folder: relative to <see cref="ConfigDirectory"/>).</summary>
    public void AddSource(string source)
    {
        var full = source.Contains("://", StringComparison.Ordinal) ? source : Path.GetFullPath(source, ConfigDirectory);
        if (!sources.Contains(full)) sources.Add(full);
    }

    /// <summary>The native libraries (runtimes/&lt;rid&gt;/native/) of the packages restored so far, for this machine's runtime identifier.</summary>
    public IReadOnlyList<string> NativeLibraries { get; private set; } = [];

    /// <summary>Adds packages and restores everything asked for so far; returns the runtime assemblies' paths.</summary>
    public IReadOnlyList<string> Resolve(IEnumerable<(string Name, string? Version)> requested)
    {
        var before = new Dictionary<string, string>(packages, StringComparer.OrdinalIgnoreCase);
        foreach (var (name, version) in requested) packages[name] = version ?? "*-*";
        try { return Restore(); }
        catch
        {
            // A failed reference must not break later cells' restores.
            packages.Clear();
            foreach (var kv in before) packages[kv.Key] = kv.Value;
            throw;
        }
    }

    IReadOnlyList<string> Restore()
    {
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "nuget.csproj"), ProjectText());
        var psi = new ProcessStartInfo(DotnetHost(), ["restore", "nuget.csproj", "--nologo", "-v", "q"])
        {
            WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("could not start dotnet restore");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(5))) { p.Kill(true); throw new TimeoutException("dotnet restore took more than 5 minutes"); }
        var output = stdout.Result + stderr.Result;
        if (p.ExitCode != 0)
        {
            var errors = output.Split('\n').Where(l => l.Contains("error", StringComparison.OrdinalIgnoreCase)).Select(l => l.Trim()).Distinct();
            throw new InvalidOperationException("NuGet restore failed:\n" + string.Join("\n", errors));
        }
        var assets = File.ReadAllText(Path.Combine(directory, "obj", "project.assets.json"));
        NativeLibraries = ProjectAssets.NativeLibraries(assets, System.Runtime.InteropServices.RuntimeInformation.RuntimeIdentifier);
        return ProjectAssets.RuntimeAssemblies(assets);
    }

    internal string ProjectText()
    {
        var sb = new StringBuilder();
        sb.AppendLine("<Project Sdk=\"Microsoft.NET.Sdk\">");
        sb.AppendLine("  <PropertyGroup>");
        sb.AppendLine($"    <TargetFramework>net{Environment.Version.Major}.{Environment.Version.Minor}</TargetFramework>");
        sb.AppendLine("    <ImportDirectoryBuildProps>false</ImportDirectoryBuildProps><ImportDirectoryBuildTargets>false</ImportDirectoryBuildTargets>");
        // Packages asked for in different cells may pin lower versions than others need (NU1605): the nearest wins, as in F#.
        sb.AppendLine("    <NoWarn>NU1603;NU1605;NU1608;NU1701;NU5104</NoWarn><WarningsAsErrors></WarningsAsErrors>");
        // NuGet's settings walk starts here instead of at the project's folder (GetRestoreSettingsTask).
        sb.AppendLine($"    <RestoreRootConfigDirectory>{SecurityElement.Escape(ConfigDirectory)}</RestoreRootConfigDirectory>");
        if (sources.Count > 0)
            sb.AppendLine($"    <RestoreAdditionalProjectSources>{SecurityElement.Escape(string.Join(";", sources))}</RestoreAdditionalProjectSources>");
        sb.AppendLine("  </PropertyGroup>");
        sb.AppendLine("  <ItemGroup>");
        foreach (var (name, version) in packages)
            sb.AppendLine($"    <PackageReference Include=\"{SecurityElement.Escape(name)}\" Version=\"{SecurityElement.Escape(version)}\" />");
        sb.AppendLine("  </ItemGroup>");
        sb.AppendLine("</Project>");
        return sb.ToString();
    }

    /// <summary>The dotnet host running this process, else "dotnet" from PATH.</summary>
    internal static string DotnetHost()
    {
        var env = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(env) && File.Exists(env)) return env;
        var self = Environment.ProcessPath;
        if (self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet") return self;
        return "dotnet";
    }

    public void Dispose()
    {
        try { if (Directory.Exists(directory)) Directory.Delete(directory, true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}

/// <summary>Reads the runtime assemblies of every package from a project.assets.json.</summary>
public static class ProjectAssets
{
    /// <summary>
    /// Absolute paths of the native assets (<c>runtimeTargets</c> of type native) of the first target for <paramref name="rid"/>
    /// (e.g. <c>linux-x64</c>; a distribution-specific identifier falls back to its portable one by its architecture suffix).
    /// </summary>
    public static IReadOnlyList<string> NativeLibraries(string assetsJson, string rid)
    {
        using var doc = JsonDocument.Parse(assetsJson);
        var root = doc.RootElement;
        var folders = root.GetProperty("packageFolders").EnumerateObject().Select(p => p.Name).ToList();
        var libraries = root.GetProperty("libraries");
        var target = root.GetProperty("targets").EnumerateObject().First().Value;
        var os = OperatingSystem.IsWindows() ? "win" : OperatingSystem.IsMacOS() ? "osx" : "linux";
        var arch = rid.Contains('-') ? rid[(rid.LastIndexOf('-') + 1)..] : rid;
        string[] wanted = [$"runtimes/{rid}/native/", $"runtimes/{os}-{arch}/native/"];
        var result = new List<string>();
        foreach (var package in target.EnumerateObject())
        {
            if (!package.Value.TryGetProperty("runtimeTargets", out var targets)) continue;
            var libPath = libraries.TryGetProperty(package.Name, out var lib) && lib.TryGetProperty("path", out var lp)
                ? lp.GetString()! : package.Name.ToLowerInvariant();
            foreach (var asset in targets.EnumerateObject())
            {
                if (!asset.Value.TryGetProperty("assetType", out var t) || t.GetString() != "native") continue;
                if (!wanted.Any(w => asset.Name.StartsWith(w, StringComparison.Ordinal))) continue;
                var path = folders.Select(f => Path.Combine(f, libPath, asset.Name)).FirstOrDefault(File.Exists);
                if (path is not null) result.Add(Path.GetFullPath(path));
            }
        }
        return result;
    }

    /// <summary>Absolute paths of the runtime (lib/ or runtimes/) assemblies of the first target.</summary>
    public static IReadOnlyList<string> RuntimeAssemblies(string assetsJson)
    {
        using var doc = JsonDocument.Parse(assetsJson);
        var root = doc.RootElement;
        var folders = root.GetProperty("packageFolders").EnumerateObject().Select(p => p.Name).ToList();
        var libraries = root.GetProperty("libraries");
        var target = root.GetProperty("targets").EnumerateObject().First().Value;
        var result = new List<string>();
        foreach (var package in target.EnumerateObject())
        {
            if (!package.Value.TryGetProperty("type", out var type) || type.GetString() != "package") continue;
            if (!package.Value.TryGetProperty("runtime", out var runtime)) continue;
            var libPath = libraries.TryGetProperty(package.Name, out var lib) && lib.TryGetProperty("path", out var lp)
                ? lp.GetString()! : package.Name.ToLowerInvariant();
            foreach (var asset in runtime.EnumerateObject())
            {
                if (asset.Name.EndsWith("/_._", StringComparison.Ordinal) || !asset.Name.EndsWith(".dll", StringComparison.OrdinalIgnoreCase)) continue;
                var path = folders.Select(f => Path.Combine(f, libPath, asset.Name)).FirstOrDefault(File.Exists)
                           ?? Path.Combine(folders.FirstOrDefault() ?? "", libPath, asset.Name);
                result.Add(Path.GetFullPath(path));
            }
        }
        return result;
    }
}
