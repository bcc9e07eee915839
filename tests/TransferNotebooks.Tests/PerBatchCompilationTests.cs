using System.Reflection;
using TransferNotebooks.Layers;
using TransferNotebooks.Losses;
using TransferNotebooks.Metrics;
using TransferNotebooks.Optimizers;
using static TorchSharp.torch;

namespace TransferNotebooks.Tests;

/// <summary>
/// The per-batch hooks of the library's layers, losses, metrics and optimizers compile fully optimised on first use
/// (<c>[MethodImpl(MethodImplOptions.AggressiveOptimization)]</c>; docs/architecture.md, "JIT on the per-batch path"). A new
/// layer, loss, metric or optimizer file that overrides one without the attribute fails here, with the method and the fix.
/// </summary>
public sealed class PerBatchCompilationTests
{
    /// <summary>The methods Fit, Evaluate and Predict call once per batch, by the class that declares them first.</summary>
    static readonly (Type Base, string[] Names)[] Hooks =
    [
        (typeof(Layer), ["Call", "CallWithoutActivation"]),
        (typeof(Loss), ["PerSample", "Compute"]),
        (typeof(Metric), ["Update", "Values"]),
        (typeof(Optimizer), ["Update", "BeginStep", "EndStep", "Step"]),
    ];

    static bool TakesTensors(MethodInfo m) =>
        m.GetParameters() is var ps && (ps.Length == 0 || ps[0].ParameterType == typeof(Tensor) || ps[0].ParameterType == typeof(IReadOnlyList<Tensor>)
                                        || ps[0].ParameterType == typeof(IEnumerable<ParameterGroup>));

    static IEnumerable<MethodInfo> PerBatchHooks() =>
        from type in typeof(Layer).Assembly.GetTypes()
        from hook in Hooks
        where hook.Base.IsAssignableFrom(type)
        from m in type.GetMethods(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly)
        where !m.IsAbstract && hook.Names.Contains(m.Name) && TakesTensors(m)
        select m;

    [Fact]
    public void Every_per_batch_hook_in_the_library_compiles_fully_optimised()
    {
        var hooks = PerBatchHooks().ToList();
        Assert.True(hooks.Count >= 50, $"found only {hooks.Count} per-batch hooks: the search no longer sees the library's layers");
        var missing = hooks.Where(m => (m.MethodImplementationFlags & MethodImplAttributes.AggressiveOptimization) == 0)
            .Select(m => $"{m.DeclaringType!.FullName}.{m.Name}({string.Join(", ", m.GetParameters().Select(p => p.ParameterType.Name))})").ToList();
        Assert.True(missing.Count == 0,
            "These per-batch methods tier up in the background during the next Fit calls, competing with the compute threads: " +
            string.Join("; ", missing) + ". Put [MethodImpl(MethodImplOptions.AggressiveOptimization)] on each (docs/architecture.md, \"JIT on the per-batch path\").");
    }

    [Fact]
    public void The_hooks_found_include_each_kind()
    {
        var declaring = PerBatchHooks().Select(m => m.DeclaringType!).ToHashSet();
        Assert.Contains(typeof(Dense), declaring);
        Assert.Contains(typeof(BinaryCrossentropy), declaring);
        Assert.Contains(typeof(BinaryAccuracy), declaring);
        Assert.Contains(typeof(RmsProp), declaring);
    }
}
