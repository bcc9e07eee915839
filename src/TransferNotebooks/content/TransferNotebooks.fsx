// dotnet fsi and .NET Interactive load this right after `#r "nuget: TransferNotebooks"`: it makes TorchSharp's native backend
// usable (marking the shim's GLIBCXX_3.4.32 need weak where libstdc++ is older, see README "Native loading") before the
// script's own code runs, so `torch.*` works even before any TransferNotebooks type is touched.
try
    TransferNotebooks.Native.NativeSetup.EnsureTorch()
with e ->
    eprintfn "[TransferNotebooks] %s" e.Message
