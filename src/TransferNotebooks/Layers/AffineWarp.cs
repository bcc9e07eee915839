using static TorchSharp.torch;

namespace TransferNotebooks.Layers;

/// <summary>
/// Warps channels-first image batches ([N, C, H, W]) by one affine map per image, as Keras's RandomRotation, RandomZoom and
/// RandomTranslation do (TensorFlow's <c>ImageProjectiveTransform</c>): torch's <c>affine_grid</c> + <c>grid_sample</c> with
/// half-pixel centres. The map sends each output pixel to the input point it reads.
/// </summary>
/// <remarks>
/// Fill modes for points outside the image: <c>reflect</c> (Keras's default, <c>d c b a | a b c d | d c b a</c>: grid_sample's
/// reflection), <c>nearest</c> (the edge pixel: grid_sample's border) and <c>constant</c> (<c>fill_value</c>; interpolated
/// pixels next to the border blend with it, as in TensorFlow). <c>wrap</c> is refused: grid_sample has no periodic mode.
/// </remarks>
public static class AffineWarp
{
    /// <summary>The fill modes supported.</summary>
    public static readonly IReadOnlyList<string> FillModes = ["reflect", "constant", "nearest"];

    /// <summary>The interpolations supported (Keras's for these layers).</summary>
    public static readonly IReadOnlyList<string> Interpolations = ["bilinear", "nearest"];

    /// <summary>Returns <paramref name="fillMode"/> when supported, else throws an error naming the layer and the choices.</summary>
    public static string ValidateFillMode(string fillMode, string? layer, string type)
    {
        if (FillModes.Contains(fillMode)) return fillMode;
        if (fillMode == "wrap")
            throw new NotSupportedException($"Layer '{layer}' ({type}) uses fill_mode \"wrap\", which is not supported; use \"reflect\" (Keras's default), \"nearest\" or \"constant\".");
        throw new ArgumentException($"Layer '{layer}' ({type}): unknown fill_mode '{fillMode}'; use one of \"reflect\", \"constant\", \"nearest\".");
    }

    /// <summary>Returns <paramref name="interpolation"/> when supported, else throws an error naming the layer and the choices.</summary>
    public static string ValidateInterpolation(string interpolation, string? layer, string type) => Interpolations.Contains(interpolation) ? interpolation
        : throw new ArgumentException($"Layer '{layer}' ({type}): interpolation '{interpolation}' is not supported here; use \"bilinear\" (default) or \"nearest\".");

    /// <summary>
    /// Applies per-image maps given in pixel units about the image centre: the output pixel at (x, y) (centred coordinates, y down)
    /// reads the input at (<c>a[i,0]·x + a[i,1]·y + a[i,2]</c>, <c>a[i,3]·x + a[i,4]·y + a[i,5]</c>). <paramref name="maps"/> is
    /// [N, 6] float64 on the CPU.
    /// </summary>
    public static Tensor Apply(Tensor images, Tensor maps, string fillMode, double fillValue, string interpolation)
    {
        using var scope = NewDisposeScope();
        var x = images.is_floating_point() ? images : images.to_type(ScalarType.Float32);
        double h = x.shape[2], w = x.shape[3];
        // Pixel units to affine_grid's normalized units (-1..1 across the image): x_n = x * 2 / W, y_n = y * 2 / H.
        using var scale = tensor(new[] { 1, h / w, 2 / w, w / h, 1, 2 / h }, ScalarType.Float64);
        var theta = (maps * scale).reshape(-1, 2, 3).to(x.dtype, x.device);
        var grid = nn.functional.affine_grid(theta, x.shape, align_corners: false);
        var mode = interpolation == "nearest" ? GridSampleMode.Nearest : GridSampleMode.Bilinear;
        var padding = fillMode switch { "reflect" => GridSamplePaddingMode.Reflection, "nearest" => GridSamplePaddingMode.Border, _ => GridSamplePaddingMode.Zeros };
        var y = nn.functional.grid_sample(x, grid, mode, padding, align_corners: false);
        if (fillMode == "constant" && fillValue != 0)
        {
            var inside = nn.functional.grid_sample(ones_like(x.narrow(1, 0, 1)), grid, mode, GridSamplePaddingMode.Zeros, align_corners: false);
            y = y + (1 - inside) * fillValue;
        }
        return y.MoveToOuterDisposeScope();
    }
}
