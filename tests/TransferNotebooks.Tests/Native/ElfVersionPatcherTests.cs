using TransferNotebooks.Native;

namespace TransferNotebooks.Tests.Native;

public class ElfVersionPatcherTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("tn-elf-").FullName;
    public void Dispose() => Directory.Delete(dir, recursive: true);

    /// <summary>A pristine (strong-need) copy of TorchSharp's real shim, whatever state the installed copy is in.</summary>
    string StrongShimCopy()
    {
        var copy = Path.Combine(dir, NativeSetup.ShimFileName);
        File.Copy(NativeSetup.CandidateShims().First(), copy, overwrite: true);
        var entry = ElfVersionPatcher.ReadEntries(copy).Single(e => e.Need.Version == NativeSetup.NeededVersion);
        var bytes = File.ReadAllBytes(copy);
        bytes[entry.FlagsOffset] &= unchecked((byte)~ElfVersionPatcher.VerFlgWeak);
        File.WriteAllBytes(copy, bytes);
        Assert.False(ElfVersionPatcher.ReadVersionNeeds(copy).Single(n => n.Version == NativeSetup.NeededVersion).IsWeak);
        return copy;
    }

    [Fact]
    public void Patch_makes_only_that_entry_weak_and_changes_two_bytes_at_most()
    {
        var shim = StrongShimCopy();
        var before = File.ReadAllBytes(shim);
        var needsBefore = ElfVersionPatcher.ReadVersionNeeds(shim);

        Assert.Equal(ElfPatchOutcome.Patched, ElfVersionPatcher.MakeVersionNeedWeak(shim, NativeSetup.NeededVersion));

        var after = File.ReadAllBytes(shim);
        Assert.Equal(before.Length, after.Length);
        var changed = Enumerable.Range(0, before.Length).Where(i => before[i] != after[i]).ToList();
        Assert.Single(changed);
        var needsAfter = ElfVersionPatcher.ReadVersionNeeds(shim);
        Assert.Equal(needsBefore.Count, needsAfter.Count);
        for (int i = 0; i < needsBefore.Count; i++)
        {
            var (b, a) = (needsBefore[i], needsAfter[i]);
            Assert.Equal(b.Version, a.Version);
            if (b.Version == NativeSetup.NeededVersion) Assert.True(a.IsWeak);
            else Assert.Equal(b.Flags, a.Flags);
        }
    }

    [Fact]
    public void Patch_is_idempotent()
    {
        var shim = StrongShimCopy();
        Assert.Equal(ElfPatchOutcome.Patched, ElfVersionPatcher.MakeVersionNeedWeak(shim, NativeSetup.NeededVersion));
        var once = File.ReadAllBytes(shim);
        var stamp = File.GetLastWriteTimeUtc(shim);
        Assert.Equal(ElfPatchOutcome.AlreadyWeak, ElfVersionPatcher.MakeVersionNeedWeak(shim, NativeSetup.NeededVersion));
        Assert.Equal(once, File.ReadAllBytes(shim));
        Assert.Equal(stamp, File.GetLastWriteTimeUtc(shim));
    }

    [Fact]
    public void A_file_without_that_need_is_left_untouched()
    {
        var lib = Path.Combine(dir, "libc10.so");
        var c10 = Path.Combine(Path.GetDirectoryName(NativeSetup.CandidateShims().First())!, "libc10.so");
        if (!File.Exists(c10)) c10 = LibStdCxx.FindPath()!; // any real ELF library without GLIBCXX_3.4.32 needs
        File.Copy(c10, lib);
        var before = File.ReadAllBytes(lib);
        Assert.Equal(ElfPatchOutcome.NotPresent, ElfVersionPatcher.MakeVersionNeedWeak(lib, NativeSetup.NeededVersion));
        Assert.Equal(before, File.ReadAllBytes(lib));
    }

    [Fact]
    public void A_non_elf_file_is_refused_with_a_clear_error()
    {
        var text = Path.Combine(dir, "notes.txt");
        File.WriteAllText(text, "this is not a shared library, just some text that is long enough to have a header........................");
        var e = Assert.Throws<InvalidDataException>(() => ElfVersionPatcher.MakeVersionNeedWeak(text, NativeSetup.NeededVersion));
        Assert.Contains("not an ELF file", e.Message);
        Assert.Contains(text, e.Message);
    }

    [Fact]
    public void A_truncated_elf_file_is_refused()
    {
        var shim = StrongShimCopy();
        var bytes = File.ReadAllBytes(shim);
        File.WriteAllBytes(shim, bytes[..4096]);
        var e = Assert.Throws<InvalidDataException>(() => ElfVersionPatcher.MakeVersionNeedWeak(shim, NativeSetup.NeededVersion));
        Assert.Contains("truncated", e.Message);
    }
}
