// TorchSharp before any TransferNotebooks type: referencing the package must be enough (scripts/test-torchsharp-first).
#r "nuget: TransferNotebooks"

open TorchSharp

let t = torch.rand(100L, 28L, 28L)
printfn "torchsharp-first: shape [%s] sum %.1f" (t.shape |> Array.map string |> String.concat ", ") (t.sum().item<float32>())
