using System.Text.Json;
using System.Text.Json.Nodes;
using TransferNotebooks.Kernel.Languages;

namespace TransferNotebooks.Kernel;

/// <summary>
/// Writes and removes the kernelspecs (<c>tn-fsharp</c>, <c>tn-csharp</c>) in the user's Jupyter kernels folder
/// ($JUPYTER_DATA_DIR/kernels, else the platform's per-user Jupyter data folder).
/// </summary>
public static class Install
{
    public static readonly (string Name, string Language, string DisplayName)[] Kernels =
    [
        ("tn-fsharp", "fsharp", "F# (TransferNotebooks)"),
        ("tn-csharp", "csharp", "C# (TransferNotebooks)"),
    ];

    /// <summary>The folder kernelspecs go in.</summary>
    public static string KernelsDirectory()
    {
        var data = Environment.GetEnvironmentVariable("JUPYTER_DATA_DIR");
        if (string.IsNullOrEmpty(data))
        {
            var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            data = OperatingSystem.IsWindows() ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.ApplicationData), "jupyter")
                : OperatingSystem.IsMacOS() ? Path.Combine(home, "Library", "Jupyter")
                : Path.Combine(Environment.GetEnvironmentVariable("XDG_DATA_HOME") is { Length: > 0 } xdg ? xdg : Path.Combine(home, ".local", "share"), "jupyter");
        }
        return Path.Combine(data, "kernels");
    }

    /// <summary>The kernel.json of one kernel: argv runs this kernel's DLL with the dotnet host.</summary>
    public static JsonObject KernelSpec(string language, string displayName, string kernelDll, string dotnet) => new()
    {
        ["argv"] = new JsonArray(dotnet, kernelDll, "--language", language, "{connection_file}"),
        ["display_name"] = displayName,
        ["language"] = language,
        ["interrupt_mode"] = "message",
        ["env"] = new JsonObject { ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1", ["DOTNET_NOLOGO"] = "1" },
        ["metadata"] = new JsonObject { ["debugger"] = false },
    };

    public static int Run()
    {
        var dir = KernelsDirectory();
        var dll = typeof(Install).Assembly.Location;
        var dotnet = NuGetResolver.DotnetHost();
        foreach (var (name, language, display) in Kernels)
        {
            var kernelDir = Path.Combine(dir, name);
            Directory.CreateDirectory(kernelDir);
            var json = KernelSpec(language, display, dll, dotnet).ToJsonString(new JsonSerializerOptions { WriteIndented = true });
            File.WriteAllText(Path.Combine(kernelDir, "kernel.json"), json + "\n");
            Console.WriteLine($"installed {name} ({display}) in {kernelDir}");
        }
        return 0;
    }

    public static int Uninstall()
    {
        var dir = KernelsDirectory();
        foreach (var (name, _, _) in Kernels)
        {
            var kernelDir = Path.Combine(dir, name);
            if (!Directory.Exists(kernelDir)) { Console.WriteLine($"{name} is not installed in {dir}"); continue; }
            Directory.Delete(kernelDir, true);
            Console.WriteLine($"removed {kernelDir}");
        }
        return 0;
    }
}
