using System.Buffers.Binary;
using System.Text;

namespace TransferNotebooks.Native;

/// <summary>What <see cref="ElfVersionPatcher.MakeVersionNeedWeak"/> did to a file.</summary>
public enum ElfPatchOutcome
{
    /// <summary>The version need was strong and is now weak; the file was rewritten.</summary>
    Patched,
    /// <summary>The version need was already weak; nothing was written.</summary>
    AlreadyWeak,
    /// <summary>The file declares no such version need; nothing was written.</summary>
    NotPresent,
}

/// <summary>
/// Marks one version requirement (a <c>Vernaux</c> entry of <c>.gnu.version_r</c>) of an ELF64 shared
/// library as weak (<c>VER_FLG_WEAK</c>), so the dynamic loader accepts a system library that lacks that
/// version. Only the two flag bytes of that one entry are changed; every other byte stays as it was.
/// </summary>
/// <remarks>
/// TorchSharp 0.107's <c>libLibTorchSharp.so</c> needs <c>GLIBCXX_3.4.32</c> (GCC 13) for a single marker
/// symbol that is never called. Debian 12 and Ubuntu 22.04 ship <c>GLIBCXX_3.4.30</c>. Marking that need weak
/// lets the library load; see <see cref="NativeSetup"/>.
/// </remarks>
public static class ElfVersionPatcher
{
    /// <summary>The ELF flag that makes a version requirement weak.</summary>
    public const ushort VerFlgWeak = 0x2;
    const uint ShtGnuVerneed = 0x6ffffffe;

    /// <summary>One version requirement found in a file.</summary>
    /// <param name="Library">The needed library (for example <c>libstdc++.so.6</c>).</param>
    /// <param name="Version">The needed version (for example <c>GLIBCXX_3.4.32</c>).</param>
    /// <param name="Flags">The entry's flags (0x2 = weak).</param>
    public sealed record VersionNeed(string Library, string Version, ushort Flags)
    {
        /// <summary>True when the requirement is weak.</summary>
        public bool IsWeak => (Flags & VerFlgWeak) != 0;
    }

    /// <summary>Lists every version requirement of an ELF64 little-endian file.</summary>
    /// <exception cref="InvalidDataException">The file is not an ELF64 little-endian file or is malformed.</exception>
    public static IReadOnlyList<VersionNeed> ReadVersionNeeds(string path)
    {
        var bytes = File.ReadAllBytes(path);
        return Scan(bytes, path).Select(e => e.Need).ToList();
    }

    /// <summary>
    /// Marks the requirement of <paramref name="version"/> (from <paramref name="library"/>) as weak.
    /// Idempotent; writes through a temporary file and a rename, so a crash never leaves a half-written library.
    /// </summary>
    /// <param name="path">The ELF shared library.</param>
    /// <param name="version">The version name, for example <c>GLIBCXX_3.4.32</c>.</param>
    /// <param name="library">The needed library's name, for example <c>libstdc++.so.6</c>.</param>
    /// <exception cref="InvalidDataException">The file is not an ELF64 little-endian file or is malformed.</exception>
    /// <exception cref="UnauthorizedAccessException">The file or its folder is not writable.</exception>
    public static ElfPatchOutcome MakeVersionNeedWeak(string path, string version, string library = "libstdc++.so.6")
    {
        var bytes = File.ReadAllBytes(path);
        var entries = Scan(bytes, path).Where(e => e.Need.Version == version && e.Need.Library == library).ToList();
        if (entries.Count == 0) return ElfPatchOutcome.NotPresent;
        if (entries.All(e => e.Need.IsWeak)) return ElfPatchOutcome.AlreadyWeak;
        foreach (var e in entries)
            BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(e.FlagsOffset), (ushort)(e.Need.Flags | VerFlgWeak));

        var dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var temp = Path.Combine(dir, "." + Path.GetFileName(path) + "." + Environment.ProcessId + ".tmp");
        try
        {
            File.WriteAllBytes(temp, bytes);
            if (!OperatingSystem.IsWindows())
                File.SetUnixFileMode(temp, File.GetUnixFileMode(path));
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
        return ElfPatchOutcome.Patched;
    }

    internal readonly record struct Entry(VersionNeed Need, int FlagsOffset);

    /// <summary>Every version need with the file offset of its flags field (for tests and diagnostics).</summary>
    internal static IReadOnlyList<Entry> ReadEntries(string path) => Scan(File.ReadAllBytes(path), path).ToList();

    static IEnumerable<Entry> Scan(byte[] b, string path)
    {
        if (b.Length < 64 || b[0] != 0x7f || b[1] != (byte)'E' || b[2] != (byte)'L' || b[3] != (byte)'F')
            throw new InvalidDataException($"'{path}' is not an ELF file (no \\x7fELF magic). Expected a Linux shared library such as libLibTorchSharp.so.");
        if (b[4] != 2 || b[5] != 1)
            throw new InvalidDataException($"'{path}' is not a 64-bit little-endian ELF file (class {b[4]}, data {b[5]}); only x86-64/arm64 Linux libraries are supported.");

        var span = b.AsSpan();
        ulong shoff = BinaryPrimitives.ReadUInt64LittleEndian(span[0x28..]);
        int shentsize = BinaryPrimitives.ReadUInt16LittleEndian(span[0x3A..]);
        int shnum = BinaryPrimitives.ReadUInt16LittleEndian(span[0x3C..]);
        if (shoff == 0 || shnum == 0) yield break;
        if (shentsize < 64 || shoff + (ulong)(shnum * shentsize) > (ulong)b.Length)
            throw new InvalidDataException($"'{path}' has a section header table outside the file; it is truncated or corrupt.");

        var results = new List<Entry>();
        for (int i = 0; i < shnum; i++)
        {
            var sh = span.Slice((int)shoff + i * shentsize, shentsize);
            if (BinaryPrimitives.ReadUInt32LittleEndian(sh[4..]) != ShtGnuVerneed) continue;
            long off = (long)BinaryPrimitives.ReadUInt64LittleEndian(sh[24..]);
            long size = (long)BinaryPrimitives.ReadUInt64LittleEndian(sh[32..]);
            int link = (int)BinaryPrimitives.ReadUInt32LittleEndian(sh[40..]);
            int count = (int)BinaryPrimitives.ReadUInt32LittleEndian(sh[44..]);
            if (link >= shnum || off + size > b.Length)
                throw new InvalidDataException($"'{path}' has a malformed .gnu.version_r section.");
            var strSh = span.Slice((int)shoff + link * shentsize, shentsize);
            long strOff = (long)BinaryPrimitives.ReadUInt64LittleEndian(strSh[24..]);
            long strSize = (long)BinaryPrimitives.ReadUInt64LittleEndian(strSh[32..]);
            string Str(uint o)
            {
                if (o >= strSize || strOff + o >= b.Length) throw new InvalidDataException($"'{path}' has a string offset outside .dynstr.");
                int start = (int)(strOff + o), end = start;
                while (end < b.Length && b[end] != 0) end++;
                return Encoding.ASCII.GetString(b, start, end - start);
            }

            long vn = off;
            for (int n = 0; n < count; n++)
            {
                if (vn + 16 > off + size) throw new InvalidDataException($"'{path}' has a Verneed entry outside .gnu.version_r.");
                int cnt = BinaryPrimitives.ReadUInt16LittleEndian(span[(int)(vn + 2)..]);
                string file = Str(BinaryPrimitives.ReadUInt32LittleEndian(span[(int)(vn + 4)..]));
                uint aux = BinaryPrimitives.ReadUInt32LittleEndian(span[(int)(vn + 8)..]);
                uint next = BinaryPrimitives.ReadUInt32LittleEndian(span[(int)(vn + 12)..]);
                long va = vn + aux;
                for (int a = 0; a < cnt; a++)
                {
                    if (va + 16 > off + size) throw new InvalidDataException($"'{path}' has a Vernaux entry outside .gnu.version_r.");
                    ushort flags = BinaryPrimitives.ReadUInt16LittleEndian(span[(int)(va + 4)..]);
                    string name = Str(BinaryPrimitives.ReadUInt32LittleEndian(span[(int)(va + 8)..]));
                    results.Add(new Entry(new VersionNeed(file, name, flags), (int)(va + 4)));
                    uint anext = BinaryPrimitives.ReadUInt32LittleEndian(span[(int)(va + 12)..]);
                    if (anext == 0) break;
                    va += anext;
                }
                if (next == 0) break;
                vn += next;
            }
        }
        foreach (var r in results) yield return r;
    }
}
