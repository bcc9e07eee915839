using SkiaSharp;
using TransferNotebooks.Native;
using static TorchSharp.torch;

namespace TransferNotebooks.Data;

/// <summary>Images loaded from class subfolders: the dataset and what its labels mean.</summary>
/// <param name="Data">Images float32 <c>[N, height, width, channels]</c> (channels last, 1 or 3) and int64 labels.</param>
/// <param name="ClassNames">Subfolder names in label order: label <c>i</c> is <c>ClassNames[i]</c>.</param>
/// <param name="Files">The image files, in sample order.</param>
public sealed record ImageFolderData(Dataset Data, IReadOnlyList<string> ClassNames, IReadOnlyList<string> Files) : IDisposable
{
    /// <summary>Frees the dataset.</summary>
    public void Dispose() => Data.Dispose();
}

/// <summary>
/// Loads a folder of images with one subfolder per class, as Keras's <c>image_dataset_from_directory</c>:
/// <c>root/cats/*.jpg</c>, <c>root/dogs/*.png</c> give labels 0 (cats) and 1 (dogs), classes sorted by name.
/// PNG, JPEG, BMP, GIF and WebP are decoded with SkiaSharp and resized to the requested size.
/// </summary>
public static class ImageFolder
{
    /// <summary>The file extensions read (case-insensitive).</summary>
    public static readonly IReadOnlyList<string> Extensions = [".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp"];

    /// <summary>
    /// Loads every image under <paramref name="dataDir"/>'s class subfolders: <c>var (images, classNames) = ImageFolder.Load("pets");</c>
    /// in C#, <c>let images, classNames = ImageFolder.Load "pets"</c> in F#. <see cref="LoadData"/> also returns the file of each sample.
    /// </summary>
    /// <param name="dataDir">The folder holding one subfolder per class.</param>
    /// <param name="height">Height after resizing (Keras's default image size is 256 x 256).</param>
    /// <param name="width">Width after resizing.</param>
    /// <param name="grayscale">One channel (ITU-R 601-2 luma, as PIL's "L") instead of RGB.</param>
    /// <param name="scale">Pixels divided by 255 (0-1) instead of Keras's float 0-255.</param>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="InvalidDataException">No class subfolder holds images, or a file cannot be decoded (the message names it).</exception>
    public static Tuple<Dataset, IReadOnlyList<string>> Load(string dataDir, int height = 256, int width = 256, bool grayscale = false, bool scale = false)
    {
        var data = LoadData(dataDir, height, width, grayscale, scale);
        return Tuple.Create(data.Data, data.ClassNames);
    }

    /// <summary>Loads every image under <paramref name="dataDir"/>'s class subfolders, with the class names and the file of each sample.</summary>
    /// <inheritdoc cref="Load" path="/param"/>
    /// <inheritdoc cref="Load" path="/exception"/>
    public static ImageFolderData LoadData(string dataDir, int height = 256, int width = 256, bool grayscale = false, bool scale = false)
    {
        if (height <= 0 || width <= 0) throw new ArgumentOutOfRangeException(nameof(height), $"The image size must be positive; got {height} x {width}.");
        var root = Path.GetFullPath(dataDir);
        if (!Directory.Exists(root)) throw new DirectoryNotFoundException($"The image folder '{root}' does not exist.");
        var classes = Directory.GetDirectories(root).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToArray();
        var files = new List<(string Path, int Label)>();
        var used = new List<string>();
        foreach (var name in classes)
        {
            var images = Directory.EnumerateFiles(Path.Combine(root, name), "*", SearchOption.AllDirectories)
                .Where(f => Extensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase))
                .Order(StringComparer.Ordinal)
                .ToList();
            if (images.Count == 0) continue;
            int label = used.Count;
            used.Add(name);
            files.AddRange(images.Select(f => (f, label)));
        }
        if (files.Count == 0)
            throw new InvalidDataException($"No images found in class subfolders of '{root}' (subfolders: [{string.Join(", ", classes)}]; extensions: {string.Join(" ", Extensions)}). "
                + "Put each class's images in its own subfolder, for example root/cats/1.jpg and root/dogs/1.jpg.");

        NativeSetup.EnsureTorch();
        int channels = grayscale ? 1 : 3;
        int pixels = height * width * channels;
        var data = new float[(long)files.Count * pixels];
        try { Parallel.For(0, files.Count, i => Decode(files[i].Path, height, width, grayscale, scale, data.AsSpan(i * pixels, pixels))); }
        catch (AggregateException e) { System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw(); }
        var x = tensor(data, [files.Count, height, width, channels]);
        var y = tensor(files.Select(f => (long)f.Label).ToArray());
        return new ImageFolderData(new Dataset(x, y), used, files.Select(f => f.Path).ToArray());
    }

    /// <summary>Decodes one image, resizes it and writes its pixels (height x width x channels) into <paramref name="target"/>.</summary>
    internal static void Decode(string path, int height, int width, bool grayscale, bool scale, Span<float> target)
    {
        using var source = SKBitmap.Decode(path) ?? throw new InvalidDataException($"'{path}' could not be decoded as an image (corrupt, or not PNG/JPEG/BMP/GIF/WebP).");
        var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        using var resized = new SKBitmap(info);
        if (!source.ScalePixels(resized, SKFilterQuality.Medium))
            throw new InvalidDataException($"'{path}' could not be resized to {width} x {height}.");
        var rgba = resized.GetPixelSpan();
        float factor = scale ? 1f / 255f : 1f;
        int n = width * height;
        for (int p = 0; p < n; p++)
        {
            byte r = rgba[p * 4], g = rgba[p * 4 + 1], b = rgba[p * 4 + 2];
            if (grayscale)
                target[p] = ((r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16) * factor;
            else
            {
                target[p * 3] = r * factor;
                target[p * 3 + 1] = g * factor;
                target[p * 3 + 2] = b * factor;
            }
        }
    }
}
