using System.Globalization;
using TransferNotebooks.Native;
using static TorchSharp.torch;

namespace TransferNotebooks.Tests.Native;

public class HugePagesTests
{
    /// <summary>True where Linux would honour MADV_HUGEPAGE (THP mode "always" or "madvise").</summary>
    static bool ThpAvailable()
    {
        const string path = "/sys/kernel/mm/transparent_hugepage/enabled";
        return OperatingSystem.IsLinux() && File.Exists(path) && !File.ReadAllText(path).Contains("[never]");
    }

    /// <summary>AnonHugePages (kB) of the mapping in /proc/self/smaps that contains <paramref name="address"/>.</summary>
    static long AnonHugePagesKb(long address)
    {
        bool inside = false;
        foreach (var line in File.ReadLines("/proc/self/smaps"))
        {
            int dash = line.IndexOf('-');
            int space = line.IndexOf(' ');
            if (dash > 0 && space > dash && long.TryParse(line[..dash], NumberStyles.HexNumber, null, out var start)
                && long.TryParse(line[(dash + 1)..space], NumberStyles.HexNumber, null, out var end))
            {
                inside = address >= start && address < end;
                continue;
            }
            if (inside && line.StartsWith("AnonHugePages:", StringComparison.Ordinal))
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
        }
        return 0;
    }

    [Fact]
    public void A_large_fresh_tensor_is_advised_in_whole_huge_pages_inside_its_memory()
    {
        using var t = empty([4096, 4096], ScalarType.Float32); // 64 MiB
        long advised = HugePages.Advise(t);
        if (!OperatingSystem.IsLinux()) { Assert.Equal(0, advised); return; }
        Assert.True(advised > 0, "madvise was refused on Linux");
        Assert.Equal(0, advised % HugePages.Size);
        Assert.InRange(advised, 64L * 1024 * 1024 - 2 * HugePages.Size, 64L * 1024 * 1024);
        if (!ThpAvailable()) return; // the advice is accepted but the kernel never gives huge pages
        t.fill_(1f);
        // madvise splits the mapping: the advised part starts at the first 2 MiB boundary inside the tensor.
        long aligned = (HugePages.Address(t) + HugePages.Size - 1) / HugePages.Size * HugePages.Size;
        Assert.True(AnonHugePagesKb(aligned) >= 2048, "the touched tensor got no huge pages although THP is available");
        Assert.Equal(4096f * 4096f, t.sum().item<float>());
    }

    [Fact]
    public void Small_or_strided_tensors_are_left_alone()
    {
        using var small = empty([1000, 1000], ScalarType.Float32); // 3.8 MiB: less than two huge pages
        Assert.Equal(0, HugePages.Advise(small));
        using var big = empty([4096, 4096], ScalarType.Float32);
        using var transposed = big.t();
        Assert.Equal(0, HugePages.Advise(transposed));
    }
}
