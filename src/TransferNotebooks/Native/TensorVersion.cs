using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace TransferNotebooks.Native;

/// <summary>
/// libtorch's version counter of a tensor (PyTorch's <c>Tensor._version</c>): a number every in-place change of the tensor's
/// data bumps (<c>add_</c>, <c>index_put_</c>, <c>copy_</c>, <c>t[i] = v</c>, ...), shared by a tensor and its views. TorchSharp
/// does not expose it; libtorch exports the operator itself (<c>at::_ops::_version::call</c>), which this class calls.
/// </summary>
/// <remarks>
/// Used to remember that an input was already checked (see <see cref="Models.InputScan"/>): the same tensor object with the
/// same version holds the same values. Writes that bypass libtorch (a TorchSharp <c>data&lt;T&gt;()</c> accessor, memory shared
/// with a .NET array) do not bump it. Inference-mode tensors have no counter (libtorch would throw, so <c>is_inference</c> is
/// asked first). Available on Linux x86-64 and arm64, where libtorch's C++ names are the Itanium ones below; elsewhere, or if
/// the symbols are missing, <see cref="Of"/> returns null and callers fall back to checking every time.
/// </remarks>
internal static class TensorVersion
{
    const string VersionSymbol = "_ZN2at4_ops8_version4callERKNS_6TensorE";
    const string IsInferenceSymbol = "_ZN2at4_ops12is_inference4callERKNS_6TensorE";

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    delegate long VersionCall(IntPtr tensor);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    [return: MarshalAs(UnmanagedType.U1)]
    delegate bool IsInferenceCall(IntPtr tensor);

    static readonly Lazy<(VersionCall Version, IsInferenceCall IsInference)?> Functions = new(Resolve);

    /// <summary>Whether this process can read version counters.</summary>
    public static bool Available => Functions.Value is not null;

    /// <summary>The tensor's version counter, or null when it has none (inference mode) or it cannot be read here.</summary>
    public static long? Of(Tensor t)
    {
        if (Functions.Value is not { } f) return null;
        // TorchSharp's handle is a pointer to the at::Tensor, which is what a `const at::Tensor&` parameter receives.
        var handle = t.Handle;
        return f.IsInference(handle) ? null : f.Version(handle);
    }

    static (VersionCall, IsInferenceCall)? Resolve()
    {
        if (!OperatingSystem.IsLinux()) return null;
        using (var probe = zeros(1)) { } // makes sure TorchSharp has loaded libtorch
        // The process already holds libtorch (TorchSharp loaded it; dlopen by its SONAME finds that copy), so the pointers stay
        // valid; this handle is never freed.
        if (!NativeLibrary.TryLoad("libtorch_cpu.so", out var lib)) return null;
        return NativeLibrary.TryGetExport(lib, VersionSymbol, out var version) && NativeLibrary.TryGetExport(lib, IsInferenceSymbol, out var inference)
            ? (Marshal.GetDelegateForFunctionPointer<VersionCall>(version), Marshal.GetDelegateForFunctionPointer<IsInferenceCall>(inference))
            : null;
    }
}
