// TorchSharp before any TransferNotebooks type: referencing the package must be enough (scripts/test-torchsharp-first).
#:package TransferNotebooks@0.1.0
using TorchSharp;

var t = torch.rand(100L, 28L, 28L);
Console.WriteLine($"torchsharp-first: shape [{string.Join(", ", t.shape)}] sum {t.sum().item<float>():F1}");
// Then a chart through the Plotly.NET.dll that the package carries.
var chart = TransferNotebooks.Charts.Plot.Lines([KeyValuePair.Create("y", (IEnumerable<(double X, double Y)>)[(1.0, 2.0), (2.0, 3.0)])], "t", "x", "y");
Console.WriteLine($"torchsharp-first: chart json {TransferNotebooks.Charts.ChartHtml.FigureJson(chart).Length > 0}");
Console.WriteLine($"torchsharp-first: mkl {TransferNotebooks.Native.MklCpuDispatch.Status}");
