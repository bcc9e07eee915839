using System.Runtime.CompilerServices;
using System.Text.Json.Serialization;
using static TorchSharp.torch;

namespace TransferNotebooks.Layers
{
    /// <summary>RandomTranslation's saved settings, keyed and defaulted as Keras 3 names them.</summary>
    /// <param name="HeightFactor">Vertical shift as a fraction of the height: one number <c>f</c> draws in [-f, f], a pair (lower, upper) in that range; positive moves down.</param>
    /// <param name="WidthFactor">Horizontal shift as a fraction of the width, the same way; positive moves right.</param>
    /// <param name="FillMode"><c>reflect</c> (default), <c>constant</c> or <c>nearest</c> (<c>wrap</c> is refused).</param>
    /// <param name="Interpolation"><c>bilinear</c> (default) or <c>nearest</c>.</param>
    /// <param name="Seed">The layer's random seed; null for torch's global generator.</param>
    /// <param name="FillValue">The value outside the image when <paramref name="FillMode"/> is <c>constant</c>.</param>
    /// <param name="DataFormat">Only <c>channels_last</c> is supported.</param>
    public sealed record RandomTranslationConfig([property: JsonConverter(typeof(NumbersConverter))] double[] HeightFactor,
        [property: JsonConverter(typeof(NumbersConverter))] double[] WidthFactor, string FillMode = "reflect",
        string Interpolation = "bilinear", int? Seed = null, double FillValue = 0, string? DataFormat = null);

    [JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, RespectRequiredConstructorParameters = true)]
    [JsonSerializable(typeof(RandomTranslationConfig))]
    internal sealed partial class RandomTranslationJson : JsonSerializerContext;

    /// <summary>
    /// Shifts each image by its own random offset (Keras <c>RandomTranslation</c>), in training only; identity at inference.
    /// <c>RandomTranslation(0.1, 0.1)</c> moves by up to 10% of the height and width; the uncovered border is filled by <see cref="FillMode"/>.
    /// </summary>
    public sealed class RandomTranslation : RandomImageLayer
    {
        /// <summary>Creates the layer; see <see cref="Keras.RandomTranslation(double, double, string, string, int?, double, string?, IEnumerable{int}?)"/>.</summary>
        public RandomTranslation(double[] heightFactor, double[] widthFactor, string fillMode = "reflect", string interpolation = "bilinear", int? seed = null,
            double fillValue = 0, string? name = null, IEnumerable<int>? inputShape = null) : base(seed, name, inputShape)
        {
            var label = name ?? "random_translation";
            HeightFactor = [.. heightFactor];
            WidthFactor = [.. widthFactor];
            HeightRange = SymmetricRange(heightFactor, label, "RandomTranslation", "height_factor");
            WidthRange = SymmetricRange(widthFactor, label, "RandomTranslation", "width_factor");
            FillMode = AffineWarp.ValidateFillMode(fillMode, label, "RandomTranslation");
            Interpolation = AffineWarp.ValidateInterpolation(interpolation, label, "RandomTranslation");
            FillValue = fillValue;
        }

        /// <summary>The vertical factor as given.</summary>
        public IReadOnlyList<double> HeightFactor { get; }
        /// <summary>The horizontal factor as given.</summary>
        public IReadOnlyList<double> WidthFactor { get; }
        /// <summary>The vertical shift range in fractions of the height (lower, upper).</summary>
        public (double Lower, double Upper) HeightRange { get; }
        /// <summary>The horizontal shift range in fractions of the width (lower, upper).</summary>
        public (double Lower, double Upper) WidthRange { get; }
        /// <summary>How points outside the image are filled.</summary>
        public string FillMode { get; }
        /// <summary>The interpolation.</summary>
        public string Interpolation { get; }
        /// <summary>The constant fill value.</summary>
        public double FillValue { get; }

        /// <summary>The RandomTranslation layer type: name, Keras aliases, and its config record <see cref="RandomTranslationConfig"/>.</summary>
        public static LayerType Type { get; } = LayerType.Of<RandomTranslation, RandomTranslationConfig>("RandomTranslation", RandomTranslationJson.Default.RandomTranslationConfig,
            l => new([.. l.HeightFactor], [.. l.WidthFactor], l.FillMode, l.Interpolation, l.Seed, l.FillValue),
            (c, name, shape) =>
            {
                KerasSettings.RequireChannelsLast(c.DataFormat, name, "RandomTranslation");
                return new RandomTranslation(c.HeightFactor, c.WidthFactor, c.FillMode, c.Interpolation, c.Seed, c.FillValue, name, shape);
            });

        internal static void Register() => LayerRegistry.Register(Type);

        /// <inheritdoc />
        public override LayerType LayerType => Type;

        /// <inheritdoc />
        protected override Tensor Augment(Tensor images)
        {
            using var scope = NewDisposeScope();
            long n = images.shape[0];
            var dy = Uniform(n, HeightRange.Lower, HeightRange.Upper).mul_(images.shape[2]);
            var dx = Uniform(n, WidthRange.Lower, WidthRange.Upper).mul_(images.shape[3]);
            var one = ones_like(dy);
            var zero = zeros_like(dy);
            // The output pixel at (x, y) reads the input at (x - dx, y - dy): the content moves by (dx, dy).
            var maps = stack([one, zero, -dx, zero, one, -dy], 1);
            return AffineWarp.Apply(images, maps, FillMode, FillValue, Interpolation).MoveToOuterDisposeScope();
        }
    }
}

namespace TransferNotebooks
{
    public static partial class Keras
    {
        /// <summary>
        /// Random shifts in training (Keras <c>RandomTranslation</c>) by up to ±<paramref name="heightFactor"/> of the height and
        /// ±<paramref name="widthFactor"/> of the width, for example <c>RandomTranslation(0.1, 0.1, seed: 1)</c>. Identity at inference.
        /// </summary>
        public static Layers.Layer RandomTranslation(double heightFactor, double widthFactor, string fillMode = "reflect", string interpolation = "bilinear",
            int? seed = null, double fillValue = 0, string? name = null, IEnumerable<int>? inputShape = null) =>
            new Layers.RandomTranslation([heightFactor], [widthFactor], fillMode, interpolation, seed, fillValue, name, inputShape);

        /// <summary>Random shifts with explicit (lower, upper) ranges, Keras's <c>height_factor=(-0.2, 0.3)</c>.</summary>
        public static Layers.Layer RandomTranslation((double Lower, double Upper) heightFactor, (double Lower, double Upper) widthFactor, string fillMode = "reflect",
            string interpolation = "bilinear", int? seed = null, double fillValue = 0, string? name = null, IEnumerable<int>? inputShape = null) =>
            new Layers.RandomTranslation([heightFactor.Lower, heightFactor.Upper], [widthFactor.Lower, widthFactor.Upper], fillMode, interpolation, seed, fillValue, name, inputShape);
    }
}

namespace TransferNotebooks.Layers
{
    /// <summary>Queues <see cref="RandomTranslation"/>'s registration for the first registry lookup (see <see cref="PendingRegistrations"/>).</summary>
    internal static class RandomTranslationRegisterQueue
    {
        [ModuleInitializer] internal static void Queue() => PendingRegistrations.Defer(static () => RandomTranslation.Register());
    }
}
