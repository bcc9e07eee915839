using System.Runtime.InteropServices;
using TransferNotebooks.Native;
using static TorchSharp.torch;

namespace TransferNotebooks.Tests.Native;

public class MallocTuningTests
{
    [StructLayout(LayoutKind.Sequential)]
    struct MallInfo2
    {
        public nuint Arena, Ordblks, Smblks, Hblks, Hblkhd, Usmblks, Fsmblks, Uordblks, Fordblks, Keepcost;
    }

    [DllImport("libc", EntryPoint = "mallinfo2")]
    static extern MallInfo2 Mallinfo2();

    static bool Expected => OperatingSystem.IsLinux() && !MallocTuning.Disabled && !MallocTuning.UserTunedMalloc(Environment.GetEnvironmentVariable);

    [Fact]
    public void Loading_the_library_applies_the_settings_on_linux_unless_the_user_chose_their_own()
    {
        NativeSetup.EnsureTorch();
        Assert.Equal(Expected, MallocTuning.Applied);
        Assert.Equal(Expected ? "applied" : MallocTuning.Status, MallocTuning.Status);
        Assert.Equal(MallocTuning.Applied, MallocTuning.Apply()); // idempotent
    }

    [Fact]
    public void A_batch_sized_tensor_comes_from_the_heap_not_from_its_own_mapping()
    {
        if (!Expected) return; // other platforms and user-tuned processes keep their allocator: nothing to check (see the test above)
        NativeSetup.EnsureTorch();
        // mallinfo2's counters are process-wide: let the finalizer thread free earlier tests' tensors first, or a free
        // running beside the measurement moves them (seen once in a full run).
        for (int i = 0; i < 2; i++) { GC.Collect(); GC.WaitForPendingFinalizers(); }
        var before = Mallinfo2();
        using var t = empty(3 * 1024 * 1024 / 4); // 3 MB: one activation of a batch; glibc maps it alone by default
        t.fill_(1f);
        var during = Mallinfo2();
        Assert.True((long)during.Hblkhd - (long)before.Hblkhd < 1024 * 1024,
            $"bytes in mmapped blocks grew by {(long)during.Hblkhd - (long)before.Hblkhd}: the 3 MB buffer was mapped on its own");
        Assert.True((long)during.Uordblks - (long)before.Uordblks >= 3 * 1024 * 1024 - 4096, "the buffer sits in the heap");
    }

    [Fact]
    public void The_users_own_malloc_tunables_win()
    {
        Assert.True(MallocTuning.UserTunedMalloc(n => n == "GLIBC_TUNABLES" ? "glibc.malloc.trim_threshold=0" : null));
        Assert.True(MallocTuning.UserTunedMalloc(n => n == "MALLOC_MMAP_THRESHOLD_" ? "65536" : null));
        Assert.False(MallocTuning.UserTunedMalloc(n => n == "GLIBC_TUNABLES" ? "glibc.pthread.rseq=0" : null));
        Assert.False(MallocTuning.UserTunedMalloc(_ => null));
    }
}
