using System.Runtime.CompilerServices;
using System.Text.Json.Serialization;
using static TorchSharp.torch;

namespace TransferNotebooks.Layers
{
    /// <summary>RandomRotation's saved settings, keyed and defaulted as Keras 3 names them.</summary>
    /// <param name="Factor">Fraction of a full turn: one number <c>f</c> draws angles in [-f·2π, f·2π], a pair (lower, upper) in [lower·2π, upper·2π].</param>
    /// <param name="FillMode"><c>reflect</c> (default), <c>constant</c> or <c>nearest</c> (<c>wrap</c> is refused).</param>
    /// <param name="Interpolation"><c>bilinear</c> (default) or <c>nearest</c>.</param>
    /// <param name="Seed">The layer's random seed; null for torch's global generator.</param>
    /// <param name="FillValue">The value outside the image when <paramref name="FillMode"/> is <c>constant</c>.</param>
    /// <param name="DataFormat">Only <c>channels_last</c> is supported.</param>
    public sealed record RandomRotationConfig([property: JsonConverter(typeof(NumbersConverter))] double[] Factor, string FillMode = "reflect",
        string Interpolation = "bilinear", int? Seed = null, double FillValue = 0, string? DataFormat = null);

    [JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, RespectRequiredConstructorParameters = true)]
    [JsonSerializable(typeof(RandomRotationConfig))]
    internal sealed partial class RandomRotationJson : JsonSerializerContext;

    /// <summary>
    /// Rotates each image about its centre by its own random angle (Keras <c>RandomRotation</c>; positive angles turn
    /// counter-clockwise), in training only; identity at inference. <c>RandomRotation(0.1)</c> turns by up to ±36°.
    /// </summary>
    public sealed class RandomRotation : RandomImageLayer
    {
        /// <summary>Creates the layer; see <see cref="Keras.RandomRotation(double, string, string, int?, double, string?, IEnumerable{int}?)"/>.</summary>
        public RandomRotation(double[] factor, string fillMode = "reflect", string interpolation = "bilinear", int? seed = null, double fillValue = 0,
            string? name = null, IEnumerable<int>? inputShape = null) : base(seed, name, inputShape)
        {
            Factor = [.. factor];
            (Lower, Upper) = SymmetricRange(factor, name ?? "random_rotation", "RandomRotation", "factor");
            FillMode = AffineWarp.ValidateFillMode(fillMode, name ?? "random_rotation", "RandomRotation");
            Interpolation = AffineWarp.ValidateInterpolation(interpolation, name ?? "random_rotation", "RandomRotation");
            FillValue = fillValue;
        }

        /// <summary>The factor as given (one number or lower and upper), in fractions of a full turn.</summary>
        public IReadOnlyList<double> Factor { get; }
        /// <summary>The smallest angle drawn, in fractions of a full turn.</summary>
        public double Lower { get; }
        /// <summary>The largest angle drawn, in fractions of a full turn.</summary>
        public double Upper { get; }
        /// <summary>How points outside the image are filled.</summary>
        public string FillMode { get; }
        /// <summary>The interpolation.</summary>
        public string Interpolation { get; }
        /// <summary>The constant fill value.</summary>
        public double FillValue { get; }

        /// <summary>The RandomRotation layer type: name, Keras aliases, and its config record <see cref="RandomRotationConfig"/>.</summary>
        public static LayerType Type { get; } = LayerType.Of<RandomRotation, RandomRotationConfig>("RandomRotation", RandomRotationJson.Default.RandomRotationConfig,
            l => new([.. l.Factor], l.FillMode, l.Interpolation, l.Seed, l.FillValue),
            (c, name, shape) =>
            {
                KerasSettings.RequireChannelsLast(c.DataFormat, name, "RandomRotation");
                return new RandomRotation(c.Factor, c.FillMode, c.Interpolation, c.Seed, c.FillValue, name, shape);
            });

        internal static void Register() => LayerRegistry.Register(Type);

        /// <inheritdoc />
        public override LayerType LayerType => Type;

        /// <inheritdoc />
        protected override Tensor Augment(Tensor images)
        {
            using var scope = NewDisposeScope();
            var angle = Uniform(images.shape[0], Lower * 2 * Math.PI, Upper * 2 * Math.PI);
            var cos = angle.cos();
            var sin = angle.sin();
            var zero = zeros_like(angle);
            // The output pixel at (x, y) reads the input at (cos x - sin y, sin x + cos y): counter-clockwise on screen (y down).
            var maps = stack([cos, -sin, zero, sin, cos, zero], 1);
            return AffineWarp.Apply(images, maps, FillMode, FillValue, Interpolation).MoveToOuterDisposeScope();
        }
    }
}

namespace TransferNotebooks
{
    public static partial class Keras
    {
        /// <summary>
        /// Random rotations in training (Keras <c>RandomRotation</c>) by up to ±<paramref name="factor"/> of a full turn:
        /// <c>RandomRotation(0.1, seed: 1)</c> turns by up to 36°. Identity at inference.
        /// </summary>
        public static Layers.Layer RandomRotation(double factor, string fillMode = "reflect", string interpolation = "bilinear", int? seed = null, double fillValue = 0,
            string? name = null, IEnumerable<int>? inputShape = null) =>
            new Layers.RandomRotation([factor], fillMode, interpolation, seed, fillValue, name, inputShape);

        /// <summary>Random rotations by a fraction of a full turn drawn in [lower, upper] (Keras's <c>factor=(lower, upper)</c>): <c>RandomRotation((-0.05, 0.1))</c>.</summary>
        public static Layers.Layer RandomRotation((double Lower, double Upper) factor, string fillMode = "reflect", string interpolation = "bilinear", int? seed = null, double fillValue = 0,
            string? name = null, IEnumerable<int>? inputShape = null) =>
            new Layers.RandomRotation([factor.Lower, factor.Upper], fillMode, interpolation, seed, fillValue, name, inputShape);
    }
}

namespace TransferNotebooks.Layers
{
    /// <summary>Queues <see cref="RandomRotation"/>'s registration for the first registry lookup (see <see cref="PendingRegistrations"/>).</summary>
    internal static class RandomRotationRegisterQueue
    {
        [ModuleInitializer] internal static void Queue() => PendingRegistrations.Defer(static () => RandomRotation.Register());
    }
}
