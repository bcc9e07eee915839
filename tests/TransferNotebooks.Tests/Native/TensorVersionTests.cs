using TransferNotebooks.Native;
using static TorchSharp.torch;

namespace TransferNotebooks.Tests.Native;

public class TensorVersionTests
{
    [Fact]
    public void Is_readable_on_linux_and_bumped_by_in_place_changes_of_the_tensor_or_its_views()
    {
        Assert.Equal(OperatingSystem.IsLinux(), TensorVersion.Available);
        if (!TensorVersion.Available) return; // elsewhere Of returns null and InputScan checks every call (InputScanTests)
        using var x = zeros(4, 3);
        long v0 = TensorVersion.Of(x)!.Value;
        using (var sum = x.sum()) { } // reading changes nothing
        Assert.Equal(v0, TensorVersion.Of(x));
        x.add_(1);
        Assert.Equal(v0 + 1, TensorVersion.Of(x));
        x[0, 0] = tensor(float.NaN);
        Assert.True(TensorVersion.Of(x) > v0 + 1);
        long v1 = TensorVersion.Of(x)!.Value;
        using var row = x.narrow(0, 1, 1);
        row.mul_(2); // a view shares its base's counter
        Assert.True(TensorVersion.Of(x) > v1);
        Assert.Equal(TensorVersion.Of(x), TensorVersion.Of(row));
    }

    [Fact]
    public void Inference_mode_tensors_have_no_counter_and_do_not_crash_the_process()
    {
        if (!TensorVersion.Available) return; // nothing to call elsewhere
        Tensor made;
        using (inference_mode()) made = ones(3);
        using (made) Assert.Null(TensorVersion.Of(made));
        using var normal = ones(3);
        Assert.NotNull(TensorVersion.Of(normal));
    }
}
