using TransferNotebooks.Native;

namespace TransferNotebooks.Tests.Native;

public class TorchLoadExceptionTests
{
    [Fact]
    public void The_misleading_torchsharp_error_is_translated_into_cause_and_fix()
    {
        // The exact shape TorchSharp 0.107 throws when the shim fails to load on an old libstdc++.
        var raw = new TypeInitializationException("TorchSharp.torch",
            new NotSupportedException("The libtorch-cpu package doesn't contain a reference to libtorch-cpu-linux-x64. ... /lib/x86_64-linux-gnu/libstdc++.so.6: version `GLIBCXX_3.4.32' not found"));
        var e = TorchLoadException.From(raw);
        Assert.Contains("GLIBCXX_3.4.32", e.Message);
        Assert.Contains("doctor --fix", e.Message);
        Assert.Same(raw, e.InnerException);
    }

    [Fact]
    public void Doctor_reports_healthy_torch_here_and_where_it_loaded_from()
    {
        var report = Doctor.Run();
        Assert.True(report.Healthy, report.ToString());
        Assert.Contains(report.Checks, c => c.Name == "compute" && c.Ok);
        Assert.Contains(report.Checks, c => c.Name == "loaded from" && c.Detail.EndsWith(NativeSetup.ShimFileName));
    }
}
