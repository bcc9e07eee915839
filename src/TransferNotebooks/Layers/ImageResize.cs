using static TorchSharp.torch;

namespace TransferNotebooks.Layers;

/// <summary>
/// Resizing of channels-first image batches ([N, C, H, W]) as Keras's image layers do it: torch's <c>interpolate</c> with
/// half-pixel centres (<c>align_corners=False</c>, as TensorFlow's <c>resize</c>), and Keras's <c>smart_resize</c> rule
/// (crop the largest centred window of the target aspect ratio, then resize) for <c>crop_to_aspect_ratio</c>,
/// <see cref="CenterCrop"/> of small images and <see cref="RandomCrop"/> at inference.
/// </summary>
public static class ImageResize
{
    /// <summary>The interpolations supported: <c>bilinear</c> (Keras's default), <c>nearest</c>, <c>bicubic</c>, <c>area</c>.</summary>
    public static readonly IReadOnlyList<string> Interpolations = ["bilinear", "nearest", "bicubic", "area"];

    /// <summary>Returns <paramref name="interpolation"/> when supported, else throws an error naming the layer and the choices.</summary>
    public static string Validate(string interpolation, string? layer, string type)
    {
        if (Interpolations.Contains(interpolation)) return interpolation;
        if (interpolation is "lanczos3" or "lanczos5")
            throw new NotSupportedException($"Layer '{layer}' ({type}) uses interpolation '{interpolation}', which torch does not implement; use \"bicubic\" (closest) or \"bilinear\".");
        throw new ArgumentException($"Layer '{layer}' ({type}): unknown interpolation '{interpolation}'; use one of {string.Join(", ", Interpolations.Select(i => $"\"{i}\""))}.");
    }

    /// <summary>
    /// Resizes <paramref name="images"/> ([N, C, H, W], any dtype; the result is floating point) to
    /// <paramref name="height"/> x <paramref name="width"/>. <c>nearest</c> is torch's <c>nearest-exact</c> (TensorFlow's
    /// half-pixel nearest); <c>bicubic</c> uses torch's cubic kernel (a = -0.75, TensorFlow's is -0.5: values differ slightly).
    /// </summary>
    public static Tensor Resize(Tensor images, int height, int width, string interpolation = "bilinear", bool antialias = false)
    {
        using var scope = NewDisposeScope();
        var x = images.is_floating_point() ? images : images.to_type(ScalarType.Float32);
        if (x.shape[2] == height && x.shape[3] == width) return x.alias().MoveToOuterDisposeScope();
        var mode = interpolation switch
        {
            "nearest" => InterpolationMode.NearestExact,
            "bicubic" => InterpolationMode.Bicubic,
            "area" => InterpolationMode.Area,
            _ => InterpolationMode.Bilinear,
        };
        bool? alignCorners = mode is InterpolationMode.Bilinear or InterpolationMode.Bicubic ? false : null;
        bool anti = antialias && mode is InterpolationMode.Bilinear or InterpolationMode.Bicubic;
        return nn.functional.interpolate(x, [height, width], mode: mode, align_corners: alignCorners, antialias: anti).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The largest centred window of an <paramref name="imageHeight"/> x <paramref name="imageWidth"/> image whose aspect ratio
    /// is <paramref name="targetHeight"/>:<paramref name="targetWidth"/> (Keras's <c>smart_resize</c> crop box, integer sizes rounded down).
    /// </summary>
    public static (int Top, int Left, int Height, int Width) AspectCropBox(long imageHeight, long imageWidth, int targetHeight, int targetWidth)
    {
        int cropHeight = (int)Math.Max(Math.Min(imageHeight, (long)Math.Floor((double)imageWidth * targetHeight / targetWidth)), 1);
        int cropWidth = (int)Math.Max(Math.Min(imageWidth, (long)Math.Floor((double)imageHeight * targetWidth / targetHeight)), 1);
        return ((int)((imageHeight - cropHeight) / 2), (int)((imageWidth - cropWidth) / 2), cropHeight, cropWidth);
    }

    /// <summary>Crops the centred window of the target aspect ratio, then resizes it to the target size (Keras's <c>smart_resize</c>).</summary>
    public static Tensor CropToAspectAndResize(Tensor images, int height, int width, string interpolation = "bilinear", bool antialias = false)
    {
        var (top, left, h, w) = AspectCropBox(images.shape[2], images.shape[3], height, width);
        using var window = images.narrow(2, top, h).narrow(3, left, w);
        return Resize(window, height, width, interpolation, antialias);
    }

    /// <summary>Checks that a layer's per-sample input is an image (height, width, channels), with an error naming the fix.</summary>
    internal static void RequireImage(int[] inputShape, string? layer, string type)
    {
        if (inputShape.Length != 3)
            throw new ArgumentException($"{type} layer '{layer}' needs images of shape (height, width, channels) but got {Layer.ShapeText(inputShape)}. "
                + (inputShape.Length == 2 ? $"For grayscale images give inputShape: [{inputShape[0]}, {inputShape[1]}, 1]." : "Reshape the input to (H, W, C)."));
    }
}
