using System.Runtime.InteropServices;
using TransferNotebooks.Native;
using static TorchSharp.torch;

namespace TransferNotebooks.Tests.Native;

public class MklCpuDispatchTests
{
    static bool Expected => MklCpuDispatch.SkipReason(OperatingSystem.IsLinux(), RuntimeInformation.ProcessArchitecture,
        MklCpuDispatch.CpuVendor(), MklCpuDispatch.Disabled) is null;

    [Fact]
    public void The_embedded_library_exports_the_vendor_check_answering_yes()
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64) return; // an x86-64 ELF file: loadable nowhere else
        var path = Path.Combine(Path.GetTempPath(), $"mklcpu-test-{Guid.NewGuid():N}.so");
        File.WriteAllBytes(path, MklCpuDispatch.EmbeddedImage());
        try
        {
            var handle = NativeLibrary.Load(path);
            var f = Marshal.GetDelegateForFunctionPointer<IntFunction>(NativeLibrary.GetExport(handle, MklCpuDispatch.ExportName));
            Assert.Equal(1, f());
            Assert.False(NativeLibrary.TryGetExport(handle, "malloc", out _)); // nothing else: no libc inside
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void On_an_amd_cpu_mkl_leaves_its_generic_path_and_elsewhere_nothing_is_loaded()
    {
        NativeSetup.EnsureTorch();
        using (var a = rand(64, 64)) using (var p = a.mm(a)) { } // MKL has made its choice
        Assert.Equal(Expected, MklCpuDispatch.Applied);
        Assert.Equal(MklCpuDispatch.Applied, MklCpuDispatch.Apply()); // idempotent
        if (Expected)
        {
            Assert.StartsWith("applied", MklCpuDispatch.Status);
            Assert.NotEqual(0, MklCpuDispatch.MklCodePath()); // 0: MKL's generic path, what it takes on AMD without the library
        }
        else Assert.StartsWith("skipped", MklCpuDispatch.Status);
    }

    [Fact]
    public void Matrix_products_on_the_chosen_path_match_a_float64_reference()
    {
        NativeSetup.EnsureTorch();
        var g = new TorchSharp.torch.Generator(7);
        using var x = rand([128, 784], generator: g);
        using var k = randn([784, 512], generator: g) * 0.05f;
        using var b = randn([512], generator: g);
        using var y = addmm(b, x, k, 1, 1);
        using var reference = addmm(b.to(ScalarType.Float64), x.to(ScalarType.Float64), k.to(ScalarType.Float64), 1, 1);
        double error = (y.to(ScalarType.Float64) - reference).abs().max().item<double>();
        Assert.True(error < 1e-4, $"max abs error {error}");
    }

    [Fact]
    public void The_override_is_for_amd_and_hygon_cpus_on_linux_x64_only()
    {
        Assert.Null(MklCpuDispatch.SkipReason(true, Architecture.X64, "AuthenticAMD", false));
        Assert.Null(MklCpuDispatch.SkipReason(true, Architecture.X64, "HygonGenuine", false));
        Assert.Contains("Intel", MklCpuDispatch.SkipReason(true, Architecture.X64, "GenuineIntel", false));
        Assert.Contains("TRANSFERNOTEBOOKS_NO_MKL_DISPATCH", MklCpuDispatch.SkipReason(true, Architecture.X64, "AuthenticAMD", true));
        Assert.Contains("not Linux", MklCpuDispatch.SkipReason(false, Architecture.X64, "AuthenticAMD", false));
        Assert.Contains("x86-64", MklCpuDispatch.SkipReason(true, Architecture.Arm64, null, false));
        Assert.Contains("not tested", MklCpuDispatch.SkipReason(true, Architecture.X64, "CentaurHauls", false));
    }

    [Fact]
    public void The_cpu_vendor_is_read_from_cpuid()
    {
        var vendor = MklCpuDispatch.CpuVendor();
        if (!System.Runtime.Intrinsics.X86.X86Base.IsSupported) { Assert.Null(vendor); return; }
        Assert.Equal(12, vendor!.Length);
        if (File.Exists("/proc/cpuinfo"))
            Assert.Contains($"vendor_id\t: {vendor}", File.ReadAllText("/proc/cpuinfo"));
    }

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    delegate int IntFunction();
}
