using System.Collections;
using System.Reflection;
using System.Text.Json.Nodes;

namespace TransferNotebooks.Kernel.Display;

/// <summary>
/// Connects the TransferNotebooks library to the kernel without referencing it: when a notebook loads the library
/// (<c>#r "nuget: TransferNotebooks"</c>), this installs a kernel-backed IDisplayHost into
/// <c>TransferNotebooks.Hosting.DisplayHost.Current</c> and drives the library's
/// stop button: <c>Hosting.Interruption.Reset()</c> before each cell, <c>Interruption.Interrupt()</c> when the user
/// interrupts (Fit observes <c>Interruption.Token</c> and stops after the current batch). The kernel never loads the
/// library itself, so the notebook's copy is the only one.
/// </summary>
public static class LibraryBridge
{
    const string LibraryName = "TransferNotebooks";
    static readonly Lock gate = new();
    static readonly List<(MethodInfo Reset, MethodInfo Interrupt)> interruptions = [];
    static readonly List<MethodInfo> registrations = [];
    static readonly List<Assembly> bridged = [];
    static bool interrupted;

    /// <summary>The library assemblies the host was installed into (one, normally).</summary>
    public static IReadOnlyList<Assembly> Bridged { get { lock (gate) return bridged.ToList(); } }

    /// <summary>Watches assembly loads (and bridges a library already loaded).</summary>
    public static void Start()
    {
        AppDomain.CurrentDomain.AssemblyLoad += (_, e) => Bridge(e.LoadedAssembly);
        foreach (var a in AppDomain.CurrentDomain.GetAssemblies()) Bridge(a);
    }

    /// <summary>A cell starts: the library's Interruption is reset.</summary>
    public static void CellStarted()
    {
        lock (gate)
        {
            interrupted = false;
            foreach (var (reset, _) in interruptions) Call(reset);
        }
        EnsureFormatters();
    }

    /// <summary>
    /// Makes sure the library's formatters are registered. Its module initializer registers them when it loads, but under FSI
    /// the library loads while `#r "nuget:"` is still resolving the package's dependencies, so that first attempt can fail (the
    /// F# notebooks then showed summaries as generic object trees); this retries, and costs nothing once they are registered.
    /// </summary>
    public static void EnsureFormatters()
    {
        MethodInfo[] methods;
        lock (gate) methods = registrations.ToArray();
        foreach (var m in methods) Call(m);
    }

    /// <summary>The user interrupted the running cell: the library's Interruption token is cancelled.</summary>
    public static void Interrupt()
    {
        lock (gate)
        {
            interrupted = true;
            foreach (var (_, interrupt) in interruptions) Call(interrupt);
        }
    }

    static void Call(MethodInfo method)
    {
        try { method.Invoke(null, null); }
        catch (Exception e) { Log.Warn($"Interruption.{method.Name} failed: {e.InnerException?.Message ?? e.Message}"); }
    }

    static void Bridge(Assembly assembly)
    {
        if (assembly.IsDynamic || assembly.GetName().Name != LibraryName) return;
        lock (gate)
        {
            if (bridged.Contains(assembly)) return;
            bridged.Add(assembly);
            try
            {
                var hostInterface = assembly.GetType("TransferNotebooks.Hosting.IDisplayHost");
                var handleInterface = assembly.GetType("TransferNotebooks.Hosting.IDisplayHandle");
                var current = assembly.GetType("TransferNotebooks.Hosting.DisplayHost")?.GetProperty("Current", BindingFlags.Public | BindingFlags.Static);
                if (hostInterface is not null && handleInterface is not null && current is not null)
                {
                    var host = DispatchProxy.Create(hostInterface, typeof(HostProxy));
                    ((HostProxy)host).HandleInterface = handleInterface;
                    current.SetValue(null, host);
                }
                var interruption = assembly.GetType("TransferNotebooks.Hosting.Interruption");
                var reset = interruption?.GetMethod("Reset", BindingFlags.Public | BindingFlags.Static, Type.EmptyTypes);
                var interrupt = interruption?.GetMethod("Interrupt", BindingFlags.Public | BindingFlags.Static, Type.EmptyTypes);
                if (reset is not null && interrupt is not null)
                {
                    interruptions.Add((reset, interrupt));
                    Call(reset);
                    if (interrupted) Call(interrupt);
                }
                var register = assembly.GetType("TransferNotebooks.Display.DisplayRegistration")
                    ?.GetMethod("EnsureRegistered", BindingFlags.Public | BindingFlags.Static, Type.EmptyTypes);
                if (register is not null) registrations.Add(register);
                Log.Info($"display host installed into {assembly.GetName().Name} {assembly.GetName().Version} ({assembly.Location})");
                if (bridged.Count > 1) Log.Warn($"{bridged.Count} copies of {LibraryName} are loaded");
            }
            catch (Exception e) { Log.Warn($"could not install the display host into {assembly.FullName}: {e}"); }
        }
    }

    /// <summary>The data of a library MimeBundle (by type name, from any loaded copy), or null.</summary>
    public static JsonObject? TryGetBundle(object value)
    {
        if (value.GetType().FullName != "TransferNotebooks.Hosting.MimeBundle") return null;
        return BundleData(value);
    }

    internal static JsonObject BundleData(object? bundle)
    {
        var result = new JsonObject();
        if (bundle?.GetType().GetProperty("Data")?.GetValue(bundle) is IEnumerable entries)
            foreach (var entry in entries)
            {
                if (entry is KeyValuePair<string, string> kv)
                    result[kv.Key] = kv.Key.EndsWith("json", StringComparison.Ordinal) ? ParseOrString(kv.Value) : kv.Value;
            }
        if (!result.ContainsKey("text/plain")) result["text/plain"] = "";
        return result;
    }

    static JsonNode? ParseOrString(string s)
    {
        try { return JsonNode.Parse(s); }
        catch (System.Text.Json.JsonException) { return s; }
    }
}

/// <summary>The kernel's IDisplayHost, implemented at run time for whichever library copy a notebook loaded.</summary>
public class HostProxy : DispatchProxy
{
    internal Type? HandleInterface { get; set; }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        switch (targetMethod?.Name)
        {
            case "get_IsNotebook":
                return true;
            case "Show":
                var data = LibraryBridge.BundleData(args?[0]);
                var id = Notebook.Sink?.Show(data) ?? "";
                if (Notebook.Sink is null) Console.WriteLine(data["text/plain"]?.ToString());
                var handle = DispatchProxy.Create(HandleInterface!, typeof(HandleProxy));
                ((HandleProxy)handle).DisplayId = id;
                return handle;
            case "ToString": return "Jupyter kernel display host";
            case "GetHashCode": return GetHashCode();
            case "Equals": return ReferenceEquals(this, args?[0]);
            default: throw new NotSupportedException($"IDisplayHost.{targetMethod?.Name} is not supported by this kernel version");
        }
    }
}

/// <summary>A display handle: Update sends update_display_data.</summary>
public class HandleProxy : DispatchProxy
{
    internal string DisplayId { get; set; } = "";

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        if (targetMethod?.Name == "Update")
        {
            var data = LibraryBridge.BundleData(args?[0]);
            if (Notebook.Sink is null) Console.WriteLine(data["text/plain"]?.ToString());
            else Notebook.Sink.Update(DisplayId, data);
            return null;
        }
        if (targetMethod?.Name == "ToString") return $"display {DisplayId}";
        throw new NotSupportedException($"IDisplayHandle.{targetMethod?.Name} is not supported by this kernel version");
    }
}
