using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using Microsoft.Win32.SafeHandles;

namespace TransferNotebooks.Native;

/// <summary>
/// Lets oneMKL (inside libtorch) pick its kernels by the CPU's instruction set on AMD CPUs, as it does on Intel's.
/// </summary>
/// <remarks>
/// libtorch 2.10, as TorchSharp ships it, links oneMKL 2024.2 statically and sends float32 matrix products
/// (<c>addmm</c>, <c>mm</c>: every Dense layer, forward and backward) to it. MKL first asks
/// <c>mkl_serv_intel_cpu_true()</c> whether the CPU is an Intel one; on any other vendor it takes its generic path
/// (<c>mkl_serv_cpu_detect()</c> = 0) whatever the CPU supports. On an AMD EPYC with AVX-512 (Zen 5) a 128x784 by 784x512
/// product took 0.76-0.82 ms on that path and 0.36-0.38 ms on MKL's own path for the instruction set; Debian's OpenBLAS
/// under PyTorch 1.13 took 0.65 ms.
/// <para>
/// libtorch_cpu.so calls that function through its PLT, so a definition already in the process's global scope wins.
/// On Linux x86-64 with an AMD (or Hygon) CPU, this class loads <c>libtransfernotebooks_mklcpu.so</c> (embedded in this
/// assembly: one function returning 1, no libc, built by <c>Native/MklCpu/build.sh</c>) with <c>RTLD_GLOBAL</c>, from an
/// in-memory file, before TorchSharp loads libtorch. No file of libtorch is changed. MKL then checks the CPU's features
/// itself (AVX2, AVX-512) and uses the kernels it uses on Intel CPUs with the same features. Intel CPUs need nothing;
/// other vendors are left alone (untested). Set <c>TRANSFERNOTEBOOKS_NO_MKL_DISPATCH=1</c> to keep MKL's generic path.
/// </para>
/// <para>
/// If libtorch was loaded before this assembly (a program that called <c>torch.*</c> before touching any TransferNotebooks type),
/// libtorch has already bound MKL's check to its own answer and MKL stays on its generic path; <see cref="Status"/> says so
/// with the fix, and <see cref="MklCodePath"/> and <see cref="Doctor"/> tell which path MKL is on. The hosts the library
/// supports (fsi's <c>#r</c>, .NET Interactive's extension, the Jupyter kernel) load this assembly first.
/// </para>
/// </remarks>
public static class MklCpuDispatch
{
    /// <summary>The MKL function the embedded library defines.</summary>
    public const string ExportName = "mkl_serv_intel_cpu_true";
    /// <summary>The embedded library's file name (its SONAME).</summary>
    public const string LibraryName = "libtransfernotebooks_mklcpu.so";
    const string ResourceName = "TransferNotebooks.Native." + LibraryName;

    static readonly Lock Gate = new();
    static bool attempted;

    /// <summary>What <see cref="Apply"/> did: "applied (...)", or why it did not (for <see cref="Doctor"/>).</summary>
    public static string Status { get; private set; } = "not attempted";

    /// <summary>True when the embedded library is loaded into the process's global scope.</summary>
    public static bool Applied { get; private set; }

    /// <summary>Set <c>TRANSFERNOTEBOOKS_NO_MKL_DISPATCH=1</c> to keep MKL's generic path on non-Intel CPUs.</summary>
    public static bool Disabled => Environment.GetEnvironmentVariable("TRANSFERNOTEBOOKS_NO_MKL_DISPATCH") is "1" or "true";

    /// <summary>The CPU's vendor string from CPUID leaf 0 (<c>GenuineIntel</c>, <c>AuthenticAMD</c>, ...), or null off x86.</summary>
    public static string? CpuVendor()
    {
        if (!X86Base.IsSupported) return null;
        var (_, ebx, ecx, edx) = X86Base.CpuId(0, 0);
        Span<byte> text = stackalloc byte[12];
        BitConverter.TryWriteBytes(text, ebx);
        BitConverter.TryWriteBytes(text[4..], edx);
        BitConverter.TryWriteBytes(text[8..], ecx);
        return System.Text.Encoding.ASCII.GetString(text);
    }

    /// <summary>Loads the embedded library once per process where it applies (later calls return the first outcome). Never throws.</summary>
    /// <returns>True when it is loaded.</returns>
    public static bool Apply()
    {
        lock (Gate)
        {
            if (attempted) return Applied;
            attempted = true;
            var skip = SkipReason(OperatingSystem.IsLinux(), RuntimeInformation.ProcessArchitecture, CpuVendor(), Disabled);
            if (skip is not null) { Status = "skipped: " + skip; return false; }
            try
            {
                bool late = LibTorchLoaded();
                LoadGlobal(EmbeddedImage());
                if (late && MklCodePath() == 0)
                {
                    // libtorch bound MKL's check to its own definition when it loaded; nothing can change that now.
                    Status = "not in effect: libtorch was loaded before TransferNotebooks, so MKL keeps its generic path. "
                        + "Fix: touch a TransferNotebooks type (or call NativeSetup.EnsureTorch()) before the first torch call";
                    return false;
                }
                Applied = true;
                Status = $"applied ({CpuVendor()} CPU: MKL picks kernels by instruction set)";
            }
            catch (Exception e)
            {
                Status = "skipped: " + e.Message;
            }
            return Applied;
        }
    }

    /// <summary>Why the library is not loaded on this machine, or null when it is (pure, for tests).</summary>
    internal static string? SkipReason(bool isLinux, Architecture architecture, string? vendor, bool disabled)
    {
        if (!isLinux) return "not Linux (the override works through the ELF dynamic linker)";
        if (architecture != Architecture.X64) return "not x86-64";
        if (disabled) return "TRANSFERNOTEBOOKS_NO_MKL_DISPATCH is set";
        return vendor switch
        {
            "GenuineIntel" => "Intel CPU (MKL already picks its kernels by instruction set)",
            "AuthenticAMD" or "HygonGenuine" => null,
            _ => $"CPU vendor '{vendor}' not tested",
        };
    }

    /// <summary>
    /// MKL's code path in this process (<c>mkl_serv_cpu_detect()</c>): 0 is its generic path, larger numbers are paths for
    /// newer instruction sets (7 on an AVX-512 CPU). Null when libtorch is not loaded yet or has no MKL.
    /// </summary>
    public static int? MklCodePath()
    {
        if (!OperatingSystem.IsLinux()) return null;
        var handle = LoadedLibTorch();
        if (handle == IntPtr.Zero) return null;
        try
        {
            if (!NativeLibrary.TryGetExport(handle, "mkl_serv_cpu_detect", out var detect)) return null;
            return Marshal.GetDelegateForFunctionPointer<IntReturning>(detect)();
        }
        finally { DlClose(handle); }
    }

    /// <summary>The embedded library's bytes.</summary>
    internal static byte[] EmbeddedImage()
    {
        using var stream = typeof(MklCpuDispatch).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"resource {ResourceName} missing from {typeof(MklCpuDispatch).Assembly.GetName().Name}");
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        return bytes;
    }

    /// <summary>A handle on libtorch_cpu.so when the process has already loaded it (the caller dlcloses it), else zero; loads nothing.</summary>
    static IntPtr LoadedLibTorch() => DlOpen("libtorch_cpu.so", RTLD_LAZY | RTLD_NOLOAD);

    static bool LibTorchLoaded()
    {
        var handle = LoadedLibTorch();
        if (handle == IntPtr.Zero) return false;
        DlClose(handle);
        return true;
    }

    /// <summary>
    /// dlopen(RTLD_NOW | RTLD_GLOBAL) of the image from an in-memory file (memfd: nothing on disk), or from a temporary file
    /// (deleted once loaded) where memfd or /proc is unavailable.
    /// </summary>
    static void LoadGlobal(byte[] image)
    {
        string? memfdError = null;
        int fd;
        try { fd = MemfdCreate("transfernotebooks-mklcpu", MFD_CLOEXEC); }
        catch (EntryPointNotFoundException) { fd = -1; } // glibc before 2.27
        if (fd >= 0)
        {
            using var file = new SafeFileHandle(fd, ownsHandle: true);
            RandomAccess.Write(file, image, 0);
            memfdError = TryOpen($"/proc/self/fd/{fd}");
            if (memfdError is null) return;
        }
        var path = Path.Combine(Path.GetTempPath(), $"{Path.GetFileNameWithoutExtension(LibraryName)}-{Environment.ProcessId}-{Guid.NewGuid():N}.so");
        try
        {
            File.WriteAllBytes(path, image);
            if (TryOpen(path) is { } error)
                throw new InvalidOperationException("dlopen of the embedded library failed: " + (memfdError is null ? error : $"{memfdError}; {error}"));
        }
        finally { File.Delete(path); }

        static string? TryOpen(string path) =>
            DlOpen(path, RTLD_NOW | RTLD_GLOBAL) == IntPtr.Zero ? Marshal.PtrToStringUTF8(DlError()) ?? "unknown error" : null;
    }

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    delegate int IntReturning();

    const int RTLD_LAZY = 0x1, RTLD_NOW = 0x2, RTLD_NOLOAD = 0x4, RTLD_GLOBAL = 0x100;
    const uint MFD_CLOEXEC = 0x1;

    // libdl.so.2 exists on every glibc (a stub that forwards to libc from glibc 2.34 on).
    [DllImport("libdl.so.2", EntryPoint = "dlopen")]
    static extern IntPtr DlOpen([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libdl.so.2", EntryPoint = "dlclose")]
    static extern int DlClose(IntPtr handle);

    [DllImport("libdl.so.2", EntryPoint = "dlerror")]
    static extern IntPtr DlError();

    [DllImport("libc", EntryPoint = "memfd_create", SetLastError = true)]
    static extern int MemfdCreate([MarshalAs(UnmanagedType.LPUTF8Str)] string name, uint flags);
}
