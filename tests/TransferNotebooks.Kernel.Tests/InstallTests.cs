namespace TransferNotebooks.Kernel.Tests;

public class InstallTests
{
    [Fact]
    public void Kernelspec_runs_the_dll_with_the_connection_file_and_message_interrupts()
    {
        var spec = Install.KernelSpec("fsharp", "F# (TransferNotebooks)", "/k/TransferNotebooks.Kernel.dll", "/usr/bin/dotnet");
        Assert.Equal(["/usr/bin/dotnet", "/k/TransferNotebooks.Kernel.dll", "--language", "fsharp", "{connection_file}"],
            spec["argv"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Equal("message", spec["interrupt_mode"]!.GetValue<string>());
        Assert.Equal("F# (TransferNotebooks)", spec["display_name"]!.GetValue<string>());
    }

    [Fact]
    public void Kernels_folder_follows_JUPYTER_DATA_DIR()
    {
        var old = Environment.GetEnvironmentVariable("JUPYTER_DATA_DIR");
        try
        {
            Environment.SetEnvironmentVariable("JUPYTER_DATA_DIR", "/tmp/jd-test");
            Assert.Equal(Path.Combine("/tmp/jd-test", "kernels"), Install.KernelsDirectory());
        }
        finally { Environment.SetEnvironmentVariable("JUPYTER_DATA_DIR", old); }
    }

    [Fact]
    public void Two_kernels_named_as_documented() =>
        Assert.Equal(["tn-fsharp", "tn-csharp"], Install.Kernels.Select(k => k.Name));
}
