using System.Diagnostics;
using TransferNotebooks.Bench;

// Usage: dotnet run -c Release --project bench/TransferNotebooks.Bench -- [case ...]
// Cases: data (loaders), layers (LSTM against the fused libtorch LSTM). Real data comes from TRANSFERNOTEBOOKS_SHARED_DATA or a shared/data folder above the current directory.
var cases = new Dictionary<string, Action>(StringComparer.OrdinalIgnoreCase)
{
    ["data"] = DataBench.Run,
    ["layers"] = LayerBench.Run,
};
var wanted = args.Length == 0 ? cases.Keys.ToArray() : args;
foreach (var name in wanted)
{
    if (!cases.TryGetValue(name, out var run))
    {
        Console.Error.WriteLine($"Unknown case '{name}'. Cases: {string.Join(", ", cases.Keys)}");
        return 2;
    }
    Console.WriteLine($"== {name}");
    var clock = Stopwatch.StartNew();
    run();
    Console.WriteLine($"== {name} done in {clock.Elapsed.TotalSeconds:0.00} s");
}
return 0;
