using SkiaSharp;

namespace TransferNotebooks.Charts;

/// <summary>
/// An RGB image as a <c>data:image/png;base64,...</c> URI, for Plotly's <c>image</c> trace <c>source</c>: a 64 x 64 photo is a
/// few kilobytes this way, where the same pixels as a JSON <c>z</c> array of numbers take about 100 KB in the notebook.
/// </summary>
static class PngDataUri
{
    /// <summary>Encodes <paramref name="rgb"/> (row-major, 3 bytes a pixel) of an image <paramref name="width"/> wide and <paramref name="height"/> high.</summary>
    public static string FromRgb(ReadOnlySpan<byte> rgb, int height, int width)
    {
        if (rgb.Length != height * width * 3)
            throw new ArgumentException($"Expected {height} x {width} x 3 = {height * width * 3} bytes, got {rgb.Length}.", nameof(rgb));
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        var rgba = new byte[height * width * 4];
        for (int p = 0, q = 0; p < rgb.Length; p += 3, q += 4)
        {
            rgba[q] = rgb[p];
            rgba[q + 1] = rgb[p + 1];
            rgba[q + 2] = rgb[p + 2];
            rgba[q + 3] = 255;
        }
        System.Runtime.InteropServices.Marshal.Copy(rgba, 0, bitmap.GetPixels(), rgba.Length);
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100)
            ?? throw new InvalidOperationException("SkiaSharp could not encode the image as PNG.");
        return "data:image/png;base64," + Convert.ToBase64String(data.AsSpan());
    }
}
