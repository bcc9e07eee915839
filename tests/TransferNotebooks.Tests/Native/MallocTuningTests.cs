using System.Runtime.InteropServices;
using TransferNotebooks.Native;
using static TorchSharp.torch;

namespace TransferNotebooks.Tests.Native;

[Collection(nameof(ProcessWideMeasurements))]
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
        // running beside the measurement moves them (seen once in a full run). The runtime's own threads (the JIT compiling
        // in the background) also malloc and free, so a measurement may be disturbed: up to three tries. A buffer mapped on
        // its own fails every try (the mapped bytes grow by 3 MB each time).
        var failures = new List<string>();
        for (int attempt = 0; attempt < 3; attempt++)
        {
            for (int i = 0; i < 2; i++) { GC.Collect(); GC.WaitForPendingFinalizers(); }
            var before = Mallinfo2();
            using var t = empty(3 * 1024 * 1024 / 4); // 3 MB: one activation of a batch; glibc maps it alone by default
            t.fill_(1f);
            var during = Mallinfo2();
            long mapped = (long)during.Hblkhd - (long)before.Hblkhd, inHeap = (long)during.Uordblks - (long)before.Uordblks;
            if (mapped < 1024 * 1024 && inHeap >= 3 * 1024 * 1024 - 4096) return;
            failures.Add($"mmapped bytes grew by {mapped}, heap bytes in use by {inHeap}");
        }
        Assert.Fail("The 3 MB buffer did not come from the heap: " + string.Join("; ", failures));
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
