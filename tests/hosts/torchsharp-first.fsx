// TorchSharp before any TransferNotebooks type: referencing the package must be enough (scripts/test-torchsharp-first).
#r "nuget: TransferNotebooks"

open TorchSharp

let t = torch.rand(100L, 28L, 28L)
printfn "torchsharp-first: shape [%s] sum %.1f" (t.shape |> Array.map string |> String.concat ", ") (t.sum().item<float32>())
// Then a chart through the Plotly.NET.dll that the package carries.
let chart = TransferNotebooks.Charts.Plot.Lines([ System.Collections.Generic.KeyValuePair("y", Seq.ofList [ struct (1.0, 2.0); struct (2.0, 3.0) ]) ], "t", "x", "y")
printfn "torchsharp-first: chart json %b" ((TransferNotebooks.Charts.ChartHtml.FigureJson chart).Length > 0)
printfn "torchsharp-first: mkl %s" TransferNotebooks.Native.MklCpuDispatch.Status
