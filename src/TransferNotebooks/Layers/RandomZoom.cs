using System.Runtime.CompilerServices;
using System.Text.Json.Serialization;
using static TorchSharp.torch;

namespace TransferNotebooks.Layers
{
    /// <summary>RandomZoom's saved settings, keyed and defaulted as Keras 3 names them.</summary>
    /// <param name="HeightFactor">Vertical zoom as a fraction: one number <c>f</c> draws in [-f, f], a pair (lower, upper) in that range; negative zooms in, positive zooms out; bounds at least -1.</param>
    /// <param name="WidthFactor">Horizontal zoom, the same way; null keeps the aspect ratio (the vertical zoom is used).</param>
    /// <param name="FillMode"><c>reflect</c> (default), <c>constant</c> or <c>nearest</c> (<c>wrap</c> is refused).</param>
    /// <param name="Interpolation"><c>bilinear</c> (default) or <c>nearest</c>.</param>
    /// <param name="Seed">The layer's random seed; null for torch's global generator.</param>
    /// <param name="FillValue">The value outside the image when <paramref name="FillMode"/> is <c>constant</c>.</param>
    /// <param name="DataFormat">Only <c>channels_last</c> is supported.</param>
    public sealed record RandomZoomConfig([property: JsonConverter(typeof(NumbersConverter))] double[] HeightFactor,
        [property: JsonConverter(typeof(NumbersConverter))] double[]? WidthFactor = null, string FillMode = "reflect",
        string Interpolation = "bilinear", int? Seed = null, double FillValue = 0, string? DataFormat = null);

    [JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, RespectRequiredConstructorParameters = true)]
    [JsonSerializable(typeof(RandomZoomConfig))]
    internal sealed partial class RandomZoomJson : JsonSerializerContext;

    /// <summary>
    /// Zooms each image about its centre by its own random amount (Keras <c>RandomZoom</c>), in training only; identity at
    /// inference. A factor of 0.2 samples a window 1.2 times the image (zoom out, the border filled by <see cref="FillMode"/>),
    /// -0.2 a window 0.8 times the image (zoom in).
    /// </summary>
    public sealed class RandomZoom : RandomImageLayer
    {
        /// <summary>Creates the layer; see <see cref="Keras.RandomZoom(double, double?, string, string, int?, double, string?, IEnumerable{int}?)"/>.</summary>
        public RandomZoom(double[] heightFactor, double[]? widthFactor = null, string fillMode = "reflect", string interpolation = "bilinear", int? seed = null,
            double fillValue = 0, string? name = null, IEnumerable<int>? inputShape = null) : base(seed, name, inputShape)
        {
            var label = name ?? "random_zoom";
            HeightFactor = [.. heightFactor];
            WidthFactor = widthFactor is null ? null : [.. widthFactor];
            HeightRange = Check(SymmetricRange(heightFactor, label, "RandomZoom", "height_factor"), label, "height_factor");
            WidthRange = widthFactor is null ? null : Check(SymmetricRange(widthFactor, label, "RandomZoom", "width_factor"), label, "width_factor");
            FillMode = AffineWarp.ValidateFillMode(fillMode, label, "RandomZoom");
            Interpolation = AffineWarp.ValidateInterpolation(interpolation, label, "RandomZoom");
            FillValue = fillValue;
        }

        static (double, double) Check((double Lower, double Upper) range, string layer, string setting) => range.Lower >= -1 ? range
            : throw new ArgumentException($"Layer '{layer}' (RandomZoom): {setting} bounds must be at least -1 (zooming in by 100%), got ({range.Lower}, {range.Upper}).");

        /// <summary>The vertical factor as given.</summary>
        public IReadOnlyList<double> HeightFactor { get; }
        /// <summary>The horizontal factor as given; null: the vertical zoom is used (aspect ratio kept).</summary>
        public IReadOnlyList<double>? WidthFactor { get; }
        /// <summary>The vertical zoom range (lower, upper).</summary>
        public (double Lower, double Upper) HeightRange { get; }
        /// <summary>The horizontal zoom range; null when the vertical zoom is used.</summary>
        public (double Lower, double Upper)? WidthRange { get; }
        /// <summary>How points outside the image are filled.</summary>
        public string FillMode { get; }
        /// <summary>The interpolation.</summary>
        public string Interpolation { get; }
        /// <summary>The constant fill value.</summary>
        public double FillValue { get; }

        /// <summary>The RandomZoom layer type: name, Keras aliases, and its config record <see cref="RandomZoomConfig"/>.</summary>
        public static LayerType Type { get; } = LayerType.Of<RandomZoom, RandomZoomConfig>("RandomZoom", RandomZoomJson.Default.RandomZoomConfig,
            l => new([.. l.HeightFactor], l.WidthFactor is null ? null : [.. l.WidthFactor], l.FillMode, l.Interpolation, l.Seed, l.FillValue),
            (c, name, shape) =>
            {
                KerasSettings.RequireChannelsLast(c.DataFormat, name, "RandomZoom");
                return new RandomZoom(c.HeightFactor, c.WidthFactor, c.FillMode, c.Interpolation, c.Seed, c.FillValue, name, shape);
            });

        internal static void Register() => LayerRegistry.Register(Type);

        /// <inheritdoc />
        public override LayerType LayerType => Type;

        /// <inheritdoc />
        protected override Tensor Augment(Tensor images)
        {
            using var scope = NewDisposeScope();
            long n = images.shape[0];
            var zy = Uniform(n, 1 + HeightRange.Lower, 1 + HeightRange.Upper);
            var zx = WidthRange is { } w ? Uniform(n, 1 + w.Lower, 1 + w.Upper) : zy;
            var zero = zeros_like(zy);
            // The output pixel at (x, y) reads the input at (zx x, zy y): a factor above 1 shows more of the image (zoom out).
            var maps = stack([zx, zero, zero, zero, zy, zero], 1);
            return AffineWarp.Apply(images, maps, FillMode, FillValue, Interpolation).MoveToOuterDisposeScope();
        }
    }
}

namespace TransferNotebooks
{
    public static partial class Keras
    {
        /// <summary>
        /// Random zoom in training (Keras <c>RandomZoom</c>) by up to ±<paramref name="heightFactor"/> (negative: in, positive:
        /// out), for example <c>RandomZoom(0.2, seed: 1)</c>; <paramref name="widthFactor"/> null keeps the aspect ratio. Identity at inference.
        /// </summary>
        public static Layers.Layer RandomZoom(double heightFactor, double? widthFactor = null, string fillMode = "reflect", string interpolation = "bilinear",
            int? seed = null, double fillValue = 0, string? name = null, IEnumerable<int>? inputShape = null) =>
            new Layers.RandomZoom([heightFactor], widthFactor is { } w ? [w] : null, fillMode, interpolation, seed, fillValue, name, inputShape);

        /// <summary>Random zoom with explicit (lower, upper) ranges, Keras's <c>height_factor=(-0.3, -0.2)</c> (zoom in by 20-30%).</summary>
        public static Layers.Layer RandomZoom((double Lower, double Upper) heightFactor, (double Lower, double Upper)? widthFactor = null, string fillMode = "reflect",
            string interpolation = "bilinear", int? seed = null, double fillValue = 0, string? name = null, IEnumerable<int>? inputShape = null) =>
            new Layers.RandomZoom([heightFactor.Lower, heightFactor.Upper], widthFactor is { } w ? [w.Lower, w.Upper] : null, fillMode, interpolation, seed, fillValue, name, inputShape);
    }
}

namespace TransferNotebooks.Layers
{
    /// <summary>Queues <see cref="RandomZoom"/>'s registration for the first registry lookup (see <see cref="PendingRegistrations"/>).</summary>
    internal static class RandomZoomRegisterQueue
    {
        [ModuleInitializer] internal static void Queue() => PendingRegistrations.Defer(static () => RandomZoom.Register());
    }
}
