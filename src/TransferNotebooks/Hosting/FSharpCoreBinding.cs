using System.Reflection;
using System.Runtime.Loader;

namespace TransferNotebooks.Hosting;

/// <summary>
/// Lets the library's F# dependencies (Plotly.NET 6 and DynamicObj 8 are compiled against FSharp.Core 10.1) run in hosts that
/// already loaded an older FSharp.Core: .NET Interactive 1.0.712001 (the <c>.net-fsharp</c> / <c>.net-csharp</c> kernels and
/// Polyglot Notebooks) ships FSharp.Core 10.0, and without this every chart fails with "Could not load file or assembly
/// 'FSharp.Core, Version=10.1.0.0'". When the default load context cannot satisfy a request for FSharp.Core, this hands it the
/// FSharp.Core the host has loaded, the way a binding redirect would. Nothing changes in hosts where the request succeeds
/// (dotnet fsi, console apps, the project's own kernel), because the runtime asks only after its own resolution failed.
/// </summary>
/// <remarks>
/// Measured in .NET Interactive 1.0.712001: with this, Plotly.NET charts build and render in F# and C# cells; the APIs
/// Plotly.NET and DynamicObj use exist in FSharp.Core 10.0. A call into an API that only FSharp.Core 10.1 has would fail
/// with MissingMethodException naming it, not silently.
/// </remarks>
public static class FSharpCoreBinding
{
    const string FSharpCore = "FSharp.Core";
    static int installed;

    /// <summary>True once the resolver is installed (it is, automatically, when the library loads).</summary>
    public static bool IsInstalled => Volatile.Read(ref installed) == 1;

    /// <summary>How many FSharp.Core requests were redirected to the loaded copy in this process.</summary>
    public static int Redirects => Volatile.Read(ref redirects);
    static int redirects;

    /// <summary>Installs the resolver once per process.</summary>
    public static void Install()
    {
        if (Interlocked.Exchange(ref installed, 1) == 1) return;
        AssemblyLoadContext.Default.Resolving += Resolve;
    }

    static Assembly? Resolve(AssemblyLoadContext context, AssemblyName name)
    {
        if (!string.Equals(name.Name, FSharpCore, StringComparison.OrdinalIgnoreCase)) return null;
        var loaded = LoadedFSharpCore(context) ?? HostFSharpCore(context, name);
        if (loaded is not null) Interlocked.Increment(ref redirects);
        return loaded;
    }

    /// <summary>The host's own FSharp.Core (its trusted platform assemblies), asked for without a version; null when it has none.</summary>
    static Assembly? HostFSharpCore(AssemblyLoadContext context, AssemblyName requested)
    {
        if (requested.Version is null) return null; // already a version-less request: nothing more to try
        try { return context.LoadFromAssemblyName(new AssemblyName(FSharpCore)); }
        catch (Exception e) when (e is FileNotFoundException or FileLoadException or BadImageFormatException) { return null; }
    }

    /// <summary>The FSharp.Core already in <paramref name="context"/> (the newest, if several), or null.</summary>
    internal static Assembly? LoadedFSharpCore(AssemblyLoadContext context) =>
        context.Assemblies
            .Where(a => string.Equals(a.GetName().Name, FSharpCore, StringComparison.OrdinalIgnoreCase))
            .OrderByDescending(a => a.GetName().Version)
            .FirstOrDefault();
}
