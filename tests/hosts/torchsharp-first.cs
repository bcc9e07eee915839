// TorchSharp before any TransferNotebooks type: referencing the package must be enough (scripts/test-torchsharp-first).
#:package TransferNotebooks@0.1.0
using TorchSharp;

var t = torch.rand(100L, 28L, 28L);
Console.WriteLine($"torchsharp-first: shape [{string.Join(", ", t.shape)}] sum {t.sum().item<float>():F1}");
