namespace TransferNotebooks.OnnxImport;

/// <summary>
/// Finds the files of the NuGet package <c>Microsoft.ML.DnnImageFeaturizer.ResNet18</c> 0.24.0 (a dependency of
/// TransferNotebooks.Applications): next to the application (the package's build props copy <c>DnnImageModels/</c> into the
/// output of a project that references it directly), else in the NuGet cache (<c>NUGET_PACKAGES</c>, else
/// <c>~/.nuget/packages</c>), where every restore puts it.
/// </summary>
public static class DnnImageModels
{
    /// <summary>The package that ships the ImageNet ResNet18 as ONNX.</summary>
    public const string PackageId = "Microsoft.ML.DnnImageFeaturizer.ResNet18";

    /// <summary>The package version this library is built and checked against.</summary>
    public const string PackageVersion = "0.24.0";

    /// <summary>The ResNet18 network, relative to the package's <c>DnnImageModels</c> folder.</summary>
    public const string ResNet18 = "ResNet18Onnx/ResNet18.onnx";

    /// <summary>Its preprocessing (RGB to BGR, minus a mean image), relative to the package's <c>DnnImageModels</c> folder.</summary>
    public const string ResNetPreprocess = "ResNetPrepOnnx/ResNetPreprocess.onnx";

    /// <summary>The places searched for <paramref name="relativePath"/>, in order.</summary>
    public static IReadOnlyList<string> Candidates(string relativePath)
    {
        var paths = new List<string>();
        foreach (var dir in new[] { AppContext.BaseDirectory, Path.GetDirectoryName(typeof(DnnImageModels).Assembly.Location) })
            if (!string.IsNullOrEmpty(dir)) paths.Add(Path.Combine(dir, "DnnImageModels", relativePath));
        var inPackage = Path.Combine(PackageId.ToLowerInvariant(), PackageVersion, "tools", "DnnImageModels", relativePath);
        if (Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } cache) paths.Add(Path.Combine(cache, inPackage));
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        if (!string.IsNullOrEmpty(home)) paths.Add(Path.Combine(home, ".nuget", "packages", inPackage));
        return paths.Select(Path.GetFullPath).Distinct().ToList();
    }

    /// <summary>The full path of one of the package's files (<see cref="ResNet18"/>, <see cref="ResNetPreprocess"/>).</summary>
    /// <exception cref="FileNotFoundException">The package is in none of the places searched; the message lists them and the fix.</exception>
    public static string Find(string relativePath)
    {
        var candidates = Candidates(relativePath);
        return candidates.FirstOrDefault(File.Exists) ?? throw new FileNotFoundException(
            $"The ImageNet weights ({relativePath}) of the NuGet package {PackageId} {PackageVersion} were not found. Searched: {string.Join("; ", candidates)}. "
            + $"Fix: restore a project that references TransferNotebooks.Applications (it depends on the package), or add it yourself: "
            + $"dotnet add package {PackageId} --version {PackageVersion}; if your NuGet cache is elsewhere, set NUGET_PACKAGES to it.",
            candidates[^1]);
    }
}
