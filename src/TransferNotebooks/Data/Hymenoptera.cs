using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;

namespace TransferNotebooks.Data;

/// <summary>The ants-and-bees photos, split as published, and where they were read from.</summary>
/// <param name="Train">Training photos (245 in the official set): images <c>[N, height, width, 3]</c> float32 and int64 labels, with their files.</param>
/// <param name="Val">Validation photos (153), the same shapes.</param>
/// <param name="Source">One line naming the folders read and the number of photos.</param>
public sealed record HymenopteraData(ImageFolderData Train, ImageFolderData Val, string Source) : IDisposable
{
    /// <summary>The class names in label order: <c>ants</c> (0), <c>bees</c> (1).</summary>
    public IReadOnlyList<string> ClassNames => Train.ClassNames;

    /// <summary>Lets C# write <c>var (train, val) = Hymenoptera.LoadData();</c> (F# destructures <see cref="Hymenoptera.Load"/>'s tuple instead).</summary>
    public void Deconstruct(out Dataset train, out Dataset val)
    {
        train = Train.Data;
        val = Val.Data;
    }

    /// <summary>Frees both datasets.</summary>
    public void Dispose()
    {
        Train.Dispose();
        Val.Dispose();
    }
}

/// <summary>
/// The hymenoptera (ants vs bees) photos of PyTorch's transfer-learning tutorial: 245 training and 153 validation JPEGs of
/// varied sizes taken from ImageNet, two classes, loaded with <see cref="ImageFolder"/>.
/// </summary>
/// <remarks>
/// <para>Without <c>dataDir</c> the extracted folder is looked up in the cache (<see cref="DataCache"/>,
/// <c>~/.transfernotebooks/datasets/hymenoptera/hymenoptera_data</c>) and, when missing, <see cref="Url"/> is downloaded and
/// extracted there. PyTorch publishes no hash for the zip, so the extracted content is checked instead: the number of files in
/// each class folder (<see cref="FileCounts"/>) and one SHA-256 over every file's path, size and SHA-256
/// (<see cref="ContentSha256"/>, see <see cref="ContentHash"/>). Extraction goes to a temporary folder that is renamed into
/// place only after the check; entries that would land outside it are refused.</para>
/// <para>With <c>dataDir</c> the photos are read from that folder only (offline, unchecked): a folder holding <c>train/</c> and
/// <c>val/</c>, or one holding <c>hymenoptera_data/</c>.</para>
/// <para>Photos are fitted as torchvision's ImageNet evaluation does by default (shorter side 256, central 224 x 224); pass
/// <c>resizeTo: null</c> to stretch, or <c>cropToAspectRatio: true</c> for Keras's crop. The official set holds a GIF
/// placeholder (<c>train/ants/imageNotFound.gif</c>), loaded as its first frame as torchvision does.</para>
/// </remarks>
public static class Hymenoptera
{
    /// <summary>The official archive's file name.</summary>
    public const string ArchiveFile = "hymenoptera_data.zip";
    /// <summary>The official archive (PyTorch's tutorial data).</summary>
    public const string Url = "https://download.pytorch.org/tutorial/hymenoptera_data.zip";
    /// <summary>The folder the archive holds, and the cache keeps.</summary>
    public const string FolderName = "hymenoptera_data";

    /// <summary>The number of files in each class folder of the official set.</summary>
    public static readonly IReadOnlyDictionary<string, int> FileCounts = new Dictionary<string, int>
    {
        ["train/ants"] = 124,
        ["train/bees"] = 121,
        ["val/ants"] = 70,
        ["val/bees"] = 83,
    };

    /// <summary>The official content's <see cref="ContentHash"/> (398 files, 47,385,924 bytes).</summary>
    public const string ContentSha256 = "97da0e4b0d7e8298710359921b7c5b50384978874657a85552576daa217f8047";

    /// <summary>What a folder must hold to count as the official set: files per class folder and the content hash.</summary>
    internal sealed record Manifest(IReadOnlyDictionary<string, int> FileCounts, string ContentSha256);

    static readonly Manifest Official = new(FileCounts, ContentSha256);

    /// <summary>
    /// Loads the photos: <c>var (train, val) = Hymenoptera.Load();</c> in C#, <c>let train, val = Hymenoptera.Load()</c> in F#.
    /// Downloads once, then reads the cache; prints one line naming the folders read. <see cref="LoadData"/> adds class names and files.
    /// </summary>
    /// <param name="height">Image height (224, ImageNet's).</param>
    /// <param name="width">Image width.</param>
    /// <param name="resizeTo">The shorter side is resized to this (aspect kept), then the centre cropped (torchvision's <c>Resize(256)</c> + <c>CenterCrop(224)</c>); null: no such step.</param>
    /// <param name="cropToAspectRatio">With <paramref name="resizeTo"/> null: crop the largest centred window of the target aspect ratio, then resize (Keras's rule); false stretches.</param>
    /// <param name="scale">Pixels divided by 255 (0-1) instead of float 0-255.</param>
    /// <param name="dataDir">Read the photos from this folder only (holding <c>train/</c> and <c>val/</c>, or <c>hymenoptera_data/</c>), never downloading or checking.</param>
    /// <param name="cacheDir">The cache root instead of <c>TRANSFERNOTEBOOKS_DATA</c> / <c>~/.transfernotebooks/datasets</c>.</param>
    /// <param name="download">False: use only what the cache already holds, and fail clearly otherwise.</param>
    /// <param name="verify">False: trust the cached folder without checking its content (a download is always checked).</param>
    /// <param name="options">Mirrors (base URLs), an archive hash (<c>Hashes["hymenoptera_data.zip"]</c>), timeout and progress settings for the download.</param>
    /// <exception cref="FileNotFoundException">Offline and the photos are not there; the message names the folders searched and the fix.</exception>
    /// <exception cref="InvalidDataException">The cached or downloaded content is not the official set (the message says what differs), or the archive is unsafe.</exception>
    /// <exception cref="DownloadException">The archive could not be downloaded.</exception>
    public static Tuple<Dataset, Dataset> Load(int height = 224, int width = 224, int? resizeTo = 256, bool cropToAspectRatio = false, bool scale = false,
        string? dataDir = null, string? cacheDir = null, bool download = true, bool verify = true, DownloadOptions? options = null)
    {
        var data = LoadData(height, width, resizeTo, cropToAspectRatio, scale, dataDir, cacheDir, download, verify, options);
        return Tuple.Create(data.Train.Data, data.Val.Data);
    }

    /// <summary>
    /// Loads the photos with their class names and files: <c>using var bugs = Hymenoptera.LoadData(); bugs.ClassNames // ants, bees</c>.
    /// </summary>
    /// <inheritdoc cref="Load" path="/param"/>
    /// <inheritdoc cref="Load" path="/exception"/>
    public static HymenopteraData LoadData(int height = 224, int width = 224, int? resizeTo = 256, bool cropToAspectRatio = false, bool scale = false,
        string? dataDir = null, string? cacheDir = null, bool download = true, bool verify = true, DownloadOptions? options = null) =>
        LoadFrom(Locate(dataDir, cacheDir, download, verify, options, Official), height, width, resizeTo, cropToAspectRatio, scale);

    internal static HymenopteraData LoadFrom(string root, int height, int width, int? resizeTo, bool cropToAspectRatio, bool scale)
    {
        var train = ImageFolder.LoadData(Path.Combine(root, "train"), height, width, scale: scale, cropToAspectRatio: cropToAspectRatio, resizeTo: resizeTo);
        ImageFolderData val;
        try { val = ImageFolder.LoadData(Path.Combine(root, "val"), height, width, scale: scale, cropToAspectRatio: cropToAspectRatio, resizeTo: resizeTo); }
        catch { train.Dispose(); throw; }
        if (!train.ClassNames.SequenceEqual(val.ClassNames))
        {
            var message = $"'{root}' has classes [{string.Join(", ", train.ClassNames)}] in train/ but [{string.Join(", ", val.ClassNames)}] in val/; both need the same class folders.";
            train.Dispose();
            val.Dispose();
            throw new InvalidDataException(message);
        }
        var source = $"Hymenoptera train: {Path.Combine(root, "train")} ({train.Data.Count} photos), val: {Path.Combine(root, "val")} ({val.Data.Count} photos)";
        DataCache.Log(DataCache.FileNamesOnly(source));
        return new HymenopteraData(train, val, source);
    }

    /// <summary>The folder holding <c>train/</c> and <c>val/</c>: <paramref name="dataDir"/>, or the cache (downloading and extracting when allowed).</summary>
    internal static string Locate(string? dataDir, string? cacheDir, bool download, bool verify, DownloadOptions? options, Manifest expected)
    {
        if (dataDir is not null)
        {
            var dir = Path.GetFullPath(dataDir);
            return FindIn(dir) ?? throw new FileNotFoundException(
                $"No hymenoptera photos in '{dir}'{(Directory.Exists(dir) ? "" : " (does not exist)")}: expected train/ and val/ folders (each with ants/ and bees/), or a {FolderName}/ folder holding them. "
                + $"Extract {ArchiveFile} there, or leave out dataDir: to download and cache it.");
        }
        var cache = DataCache.DatasetDirectory("hymenoptera", cacheDir);
        var folder = Path.Combine(cache, FolderName);
        if (Directory.Exists(folder))
        {
            var problem = verify ? Check(folder, expected) : null;
            if (problem is null) return folder;
            if (!download)
                throw new InvalidDataException($"The cached folder '{folder}' is not the official hymenoptera set: {problem} "
                    + "Delete the folder (or call with download: true) to download it again, or pass verify: false to use it as it is.");
        }
        else if (!download)
        {
            throw new FileNotFoundException($"Hymenoptera photos not found in '{folder}'. Call Hymenoptera.Load() with download: true to download {Url} "
                + $"(cache chosen by {DataCache.RootExplanation(cacheDir)}), or pass dataDir: with a folder holding train/ and val/.", folder);
        }
        return DownloadAndExtract(cache, folder, options, expected);
    }

    /// <summary>The folder itself when it holds train/ and val/, else its hymenoptera_data subfolder when that does; null otherwise.</summary>
    static string? FindIn(string dir)
    {
        static bool Holds(string d) => Directory.Exists(Path.Combine(d, "train")) && Directory.Exists(Path.Combine(d, "val"));
        if (Holds(dir)) return dir;
        var inner = Path.Combine(dir, FolderName);
        return Holds(inner) ? inner : null;
    }

    static string DownloadAndExtract(string cache, string folder, DownloadOptions? options, Manifest expected)
    {
        var urls = options?.Mirrors is { } mirrors ? mirrors.Select(m => m.EndsWith('/') ? m + ArchiveFile : m + "/" + ArchiveFile) : [Url];
        var zip = Download.Fetch(ArchiveFile, urls, options?.Hashes?.GetValueOrDefault(ArchiveFile), cache, options);
        var staging = Path.Combine(cache, $".{FolderName}.{Guid.NewGuid():N}.tmp");
        try
        {
            ExtractSafely(zip, staging);
            var extracted = FindIn(staging) ?? throw new InvalidDataException(
                $"'{zip}' (from {string.Join(" or ", urls)}) holds no {FolderName}/train and {FolderName}/val folders; it is not the hymenoptera archive.");
            if (Check(extracted, expected) is { } problem)
                throw new InvalidDataException($"The downloaded '{ArchiveFile}' is not the official hymenoptera set: {problem} Nothing was kept in the cache; "
                    + $"check the mirror, or download {Url} yourself and pass dataDir: with the extracted folder.");
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
            try { Directory.Move(extracted, folder); }
            catch (IOException) when (Directory.Exists(folder) && Check(folder, expected) is null) { /* another process put the same content in place */ }
            return folder;
        }
        finally
        {
            TryDelete(() => Directory.Delete(staging, recursive: true), staging);
            TryDelete(() => File.Delete(zip), zip);
        }
    }

    static void TryDelete(Action delete, string path)
    {
        try { if (Directory.Exists(path) || File.Exists(path)) delete(); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    /// <summary>
    /// Extracts <paramref name="zipPath"/> into <paramref name="destination"/> (created), refusing any entry whose path would
    /// leave it (<c>../</c>, absolute paths) with an <see cref="InvalidDataException"/> naming the entry.
    /// </summary>
    public static void ExtractSafely(string zipPath, string destination)
    {
        var root = Path.GetFullPath(destination);
        Directory.CreateDirectory(root);
        var prefix = root.EndsWith(Path.DirectorySeparatorChar) ? root : root + Path.DirectorySeparatorChar;
        ZipArchive archive;
        try { archive = ZipFile.OpenRead(zipPath); }
        catch (InvalidDataException e) { throw new InvalidDataException($"'{zipPath}' is not a readable zip archive: {e.Message}", e); }
        using (archive)
        {
            foreach (var entry in archive.Entries)
            {
                var target = Path.GetFullPath(Path.Combine(root, entry.FullName));
                if (!target.StartsWith(prefix, StringComparison.Ordinal))
                    throw new InvalidDataException($"'{zipPath}' has an entry '{entry.FullName}' that would be written outside the extraction folder; the archive was refused.");
                if (entry.FullName.EndsWith('/') || entry.FullName.EndsWith('\\'))
                {
                    Directory.CreateDirectory(target);
                    continue;
                }
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                entry.ExtractToFile(target, overwrite: false);
            }
        }
    }

    /// <summary>
    /// The content hash of a folder holding <c>train/</c> and <c>val/</c>: the SHA-256 of the UTF-8 lines
    /// <c>relative/path\tsize\tsha256</c> (one per file under train/ and val/, '/' separators, sorted ordinally, each ending in a newline).
    /// </summary>
    public static string ContentHash(string root)
    {
        var full = Path.GetFullPath(root);
        var lines = Files(full).Select(f =>
        {
            var relative = Path.GetRelativePath(full, f).Replace(Path.DirectorySeparatorChar, '/');
            return (relative, Line: $"{relative}\t{new FileInfo(f).Length}\t{Download.FileHash(f, "sha256")}\n");
        }).OrderBy(l => l.relative, StringComparer.Ordinal);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Concat(lines.Select(l => l.Line)))));
    }

    static IEnumerable<string> Files(string root) =>
        new[] { "train", "val" }.Select(s => Path.Combine(root, s)).Where(Directory.Exists).SelectMany(d => Directory.EnumerateFiles(d, "*", SearchOption.AllDirectories));

    /// <summary>Null when <paramref name="root"/> matches <paramref name="expected"/>; else what differs, in one sentence.</summary>
    internal static string? Check(string root, Manifest expected)
    {
        var wrong = expected.FileCounts
            .Select(kv => (kv.Key, Expected: kv.Value, Actual: Directory.Exists(Path.Combine(root, kv.Key)) ? Directory.EnumerateFiles(Path.Combine(root, kv.Key), "*", SearchOption.AllDirectories).Count() : 0))
            .Where(c => c.Actual != c.Expected)
            .Select(c => $"{c.Key} has {c.Actual} files, expected {c.Expected}")
            .ToList();
        if (wrong.Count > 0) return string.Join("; ", wrong) + ".";
        var actual = ContentHash(root);
        return actual == expected.ContentSha256 ? null
            : $"the files' names, sizes or bytes differ from the official set (content SHA-256 {actual}, expected {expected.ContentSha256}).";
    }
}
