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
/// PNG, JPEG (<c>.jpg</c>, <c>.jpeg</c>), BMP, GIF and WebP photos of any size are decoded with SkiaSharp and fitted to the
/// requested size in one of three ways (see <see cref="LoadData"/>).
/// </summary>
/// <remarks>
/// <para>Fitting photos of any size to height x width:</para>
/// <list type="bullet">
/// <item>default: stretched to the size (Keras's default, <c>crop_to_aspect_ratio=False</c>; the aspect ratio may change);</item>
/// <item><c>cropToAspectRatio: true</c>: the largest centred window of the target's aspect ratio, resized (Keras's
/// <c>crop_to_aspect_ratio=True</c>; no distortion, the edges of the longer side are lost);</item>
/// <item><c>resizeTo: 256</c> with height = width = 224: the shorter side resized to 256 (aspect kept), then the central
/// 224 x 224 (torchvision's <c>Resize(256)</c> + <c>CenterCrop(224)</c>, the ImageNet evaluation convention).</item>
/// </list>
/// <para>Odd files: an animated or still GIF loads as its first frame (as PIL and torchvision do: the hymenoptera set's
/// <c>imageNotFound.gif</c> placeholder is an ordinary sample). Names with spaces and any case of extension work. A file that
/// cannot be decoded is an <see cref="InvalidDataException"/> naming it, or with <c>skipUnreadable: true</c> a warning naming
/// it (through <see cref="DataCache.Log"/>) and no sample. EXIF orientation is ignored, as by Keras and torchvision.</para>
/// </remarks>
public static class ImageFolder
{
    /// <summary>The file extensions read (case-insensitive).</summary>
    public static readonly IReadOnlyList<string> Extensions = [".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp"];

    /// <summary>
    /// Loads every image under <paramref name="dataDir"/>'s class subfolders: <c>var (images, classNames) = ImageFolder.Load("pets");</c>
    /// in C#, <c>let images, classNames = ImageFolder.Load "pets"</c> in F#. <see cref="LoadData"/> also returns the file of each sample.
    /// </summary>
    /// <param name="dataDir">The folder holding one subfolder per class.</param>
    /// <param name="height">Height of every image (Keras's default image size is 256 x 256).</param>
    /// <param name="width">Width of every image.</param>
    /// <param name="grayscale">One channel (ITU-R 601-2 luma, as PIL's "L") instead of RGB.</param>
    /// <param name="scale">Pixels divided by 255 (0-1) instead of Keras's float 0-255.</param>
    /// <param name="cropToAspectRatio">Crop the largest centred window of the target aspect ratio before resizing (Keras's <c>crop_to_aspect_ratio=True</c>) instead of stretching.</param>
    /// <param name="resizeTo">Resize the shorter side to this many pixels (aspect kept), then take the central height x width (torchvision's <c>Resize(resizeTo)</c> + <c>CenterCrop</c>); at least the height and width.</param>
    /// <param name="skipUnreadable">Skip files that cannot be decoded, with a warning naming each, instead of failing.</param>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="InvalidDataException">No class subfolder holds images, or a file cannot be decoded (the message names it).</exception>
    public static Tuple<Dataset, IReadOnlyList<string>> Load(string dataDir, int height = 256, int width = 256, bool grayscale = false, bool scale = false,
        bool cropToAspectRatio = false, int? resizeTo = null, bool skipUnreadable = false)
    {
        var data = LoadData(dataDir, height, width, grayscale, scale, cropToAspectRatio, resizeTo, skipUnreadable);
        return Tuple.Create(data.Data, data.ClassNames);
    }

    /// <summary>
    /// Loads every image under <paramref name="dataDir"/>'s class subfolders, with the class names and the file of each sample:
    /// <c>using var photos = ImageFolder.LoadData("hymenoptera/train", 224, 224, resizeTo: 256);</c>
    /// </summary>
    /// <inheritdoc cref="Load" path="/param"/>
    /// <inheritdoc cref="Load" path="/exception"/>
    public static ImageFolderData LoadData(string dataDir, int height = 256, int width = 256, bool grayscale = false, bool scale = false,
        bool cropToAspectRatio = false, int? resizeTo = null, bool skipUnreadable = false)
    {
        if (height <= 0 || width <= 0) throw new ArgumentOutOfRangeException(nameof(height), $"The image size must be positive; got {height} x {width}.");
        if (resizeTo is { } r && r < Math.Max(height, width))
            throw new ArgumentOutOfRangeException(nameof(resizeTo), $"resizeTo ({r}) must be at least the crop size {height} x {width}: the shorter side is resized to it, then the centre is cropped (for example resizeTo: 256 with 224 x 224).");
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
        var fit = new Fit(height, width, cropToAspectRatio, resizeTo);
        int channels = grayscale ? 1 : 3;
        int pixels = height * width * channels;
        var data = new float[(long)files.Count * pixels];
        var failures = new string?[files.Count];
        try
        {
            Parallel.For(0, files.Count, i =>
            {
                try { Decode(files[i].Path, fit, grayscale, scale, data.AsSpan(i * pixels, pixels)); }
                catch (InvalidDataException e) when (skipUnreadable) { failures[i] = e.Message; }
            });
        }
        catch (AggregateException e) { System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw(); }
        var kept = Enumerable.Range(0, files.Count).Where(i => failures[i] is null).ToArray();
        foreach (var message in failures.OfType<string>()) DataCache.Log($"Warning: skipped {message}");
        if (kept.Length == 0)
            throw new InvalidDataException($"None of the {files.Count} image files under '{root}' could be decoded; the first: {failures.OfType<string>().First()}");
        if (kept.Length < files.Count)
        {
            var compact = new float[(long)kept.Length * pixels];
            for (int k = 0; k < kept.Length; k++) data.AsSpan(kept[k] * pixels, pixels).CopyTo(compact.AsSpan(k * pixels, pixels));
            data = compact;
        }
        var x = tensor(data, [kept.Length, height, width, channels]);
        var y = tensor(kept.Select(i => (long)files[i].Label).ToArray());
        return new ImageFolderData(new Dataset(x, y), used, kept.Select(i => files[i].Path).ToArray());
    }

    /// <summary>How a photo is fitted to the output size (see the remarks on <see cref="ImageFolder"/>).</summary>
    internal sealed record Fit(int Height, int Width, bool CropToAspectRatio = false, int? ResizeTo = null);

    /// <summary>Decodes one image, fits it to <paramref name="fit"/> and writes its pixels (height x width x channels) into <paramref name="target"/>.</summary>
    internal static void Decode(string path, Fit fit, bool grayscale, bool scale, Span<float> target)
    {
        using var source = DecodeFirstFrame(path);
        using var resized = FitTo(source, fit, path);
        var rgba = resized.GetPixelSpan();
        float factor = scale ? 1f / 255f : 1f;
        int n = fit.Width * fit.Height;
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

    /// <summary>The image's pixels (a GIF's first frame), with an error naming the file when it cannot be decoded.</summary>
    static SKBitmap DecodeFirstFrame(string path)
    {
        try
        {
            return SKBitmap.Decode(path) ?? throw new InvalidDataException($"'{path}' could not be decoded as an image (corrupt, empty, or not PNG/JPEG/BMP/GIF/WebP).");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw new InvalidDataException($"'{path}' could not be read: {e.Message}", e);
        }
    }

    /// <summary>Resizes (and crops, as <paramref name="fit"/> says) a decoded image to the output size, as RGBA bytes.</summary>
    static SKBitmap FitTo(SKBitmap source, Fit fit, string path)
    {
        var info = new SKImageInfo(fit.Width, fit.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        if (fit.ResizeTo is { } shorter)
        {
            // torchvision's Resize(shorter): the shorter side becomes `shorter`, the longer one scales with it (rounded down).
            bool wide = source.Width >= source.Height;
            int w = wide ? (int)((long)shorter * source.Width / source.Height) : shorter;
            int h = wide ? shorter : (int)((long)shorter * source.Height / source.Width);
            using var scaled = Scale(source, new SKImageInfo(w, h, SKColorType.Rgba8888, SKAlphaType.Unpremul), path);
            // torchvision's CenterCrop: offsets rounded to the nearest pixel.
            int top = (int)Math.Round((h - fit.Height) / 2.0, MidpointRounding.ToEven), left = (int)Math.Round((w - fit.Width) / 2.0, MidpointRounding.ToEven);
            var window = new SKBitmap();
            if (!scaled.ExtractSubset(window, SKRectI.Create(left, top, fit.Width, fit.Height)))
                throw new InvalidDataException($"'{path}' could not be cropped to {fit.Width} x {fit.Height} after resizing to {w} x {h}.");
            var copy = window.Copy(SKColorType.Rgba8888);
            window.Dispose();
            return copy;
        }
        if (fit.CropToAspectRatio)
        {
            var (top, left, h, w) = Layers.ImageResize.AspectCropBox(source.Height, source.Width, fit.Height, fit.Width);
            using var window = new SKBitmap();
            if (!source.ExtractSubset(window, SKRectI.Create(left, top, w, h)))
                throw new InvalidDataException($"'{path}' could not be cropped to its centred {w} x {h} window.");
            return Scale(window, info, path);
        }
        return Scale(source, info, path);
    }

    static SKBitmap Scale(SKBitmap source, SKImageInfo info, string path)
    {
        var resized = new SKBitmap(info);
        if (!source.ScalePixels(resized, SKFilterQuality.Medium))
        {
            resized.Dispose();
            throw new InvalidDataException($"'{path}' could not be resized to {info.Width} x {info.Height}.");
        }
        return resized;
    }
}
