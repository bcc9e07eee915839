using System.Runtime.CompilerServices;
using System.Text.Json.Serialization;
using static TorchSharp.torch;

namespace TransferNotebooks.Layers
{
    /// <summary>RandomContrast's saved settings, keyed and defaulted as Keras 3 names them.</summary>
    /// <param name="Factor">One number <c>f</c> in [0, 1] draws contrast factors in [1 - f, 1 + f]; a pair (lower, upper) in [1 - lower, 1 + upper].</param>
    /// <param name="ValueRange">The range the outputs are clipped to, (0, 255) by default as in Keras; (0, 1) for scaled images.</param>
    /// <param name="Seed">The layer's random seed; null for torch's global generator.</param>
    /// <param name="DataFormat">Only <c>channels_last</c> is supported.</param>
    public sealed record RandomContrastConfig([property: JsonConverter(typeof(NumbersConverter))] double[] Factor,
        [property: JsonConverter(typeof(NumbersConverter))] double[]? ValueRange = null, int? Seed = null, string? DataFormat = null);

    [JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, RespectRequiredConstructorParameters = true)]
    [JsonSerializable(typeof(RandomContrastConfig))]
    internal sealed partial class RandomContrastJson : JsonSerializerContext;

    /// <summary>
    /// Changes each image's contrast by its own random factor <c>c</c> (Keras <c>RandomContrast</c>), in training only; identity
    /// at inference. Per image and channel, with <c>m</c> the channel's mean over the pixels: <c>(x - m) * c + m</c>, clipped to
    /// <see cref="ValueRange"/>.
    /// </summary>
    public sealed class RandomContrast : RandomImageLayer
    {
        /// <summary>Creates the layer; see <see cref="Keras.RandomContrast(double, double, double, int?, string?, IEnumerable{int}?)"/>.</summary>
        public RandomContrast(double[] factor, double[]? valueRange = null, int? seed = null, string? name = null, IEnumerable<int>? inputShape = null)
            : base(seed, name, inputShape)
        {
            var label = name ?? "random_contrast";
            Factor = [.. factor];
            (Lower, Upper) = factor switch
            {
                [var f] => (f, f),
                [var lo, var hi] => (lo, hi),
                _ => throw new ArgumentException($"Layer '{label}' (RandomContrast): factor must be one number or two (lower, upper), got {factor.Length}."),
            };
            if (Lower is < 0 or > 1 || Upper is < 0 or > 1 || double.IsNaN(Lower) || double.IsNaN(Upper))
                throw new ArgumentOutOfRangeException(nameof(factor), $"Layer '{label}' (RandomContrast): factor values must be in [0, 1], got ({Lower}, {Upper}); for example 0.2 draws contrast factors in [0.8, 1.2].");
            var range = valueRange ?? [0, 255];
            if (range.Length != 2 || !(range[0] < range[1]))
                throw new ArgumentException($"Layer '{label}' (RandomContrast): value_range must be (low, high) with low < high, got [{string.Join(", ", range)}]; (0, 255) for raw pixels, (0, 1) for scaled ones.");
            ValueRange = (range[0], range[1]);
        }

        /// <summary>The factor as given.</summary>
        public IReadOnlyList<double> Factor { get; }
        /// <summary>How far below 1 the contrast factor can go.</summary>
        public double Lower { get; }
        /// <summary>How far above 1 the contrast factor can go.</summary>
        public double Upper { get; }
        /// <summary>The range outputs are clipped to.</summary>
        public (double Low, double High) ValueRange { get; }

        /// <summary>The RandomContrast layer type: name, Keras aliases, and its config record <see cref="RandomContrastConfig"/>.</summary>
        public static LayerType Type { get; } = LayerType.Of<RandomContrast, RandomContrastConfig>("RandomContrast", RandomContrastJson.Default.RandomContrastConfig,
            l => new([.. l.Factor], [l.ValueRange.Low, l.ValueRange.High], l.Seed),
            (c, name, shape) =>
            {
                KerasSettings.RequireChannelsLast(c.DataFormat, name, "RandomContrast");
                return new RandomContrast(c.Factor, c.ValueRange, c.Seed, name, shape);
            });

        internal static void Register() => LayerRegistry.Register(Type);

        /// <inheritdoc />
        public override LayerType LayerType => Type;

        /// <inheritdoc />
        protected override Tensor Augment(Tensor images)
        {
            using var scope = NewDisposeScope();
            var x = images.is_floating_point() ? images : images.to_type(ScalarType.Float32);
            var factor = Uniform(images.shape[0], 1 - Lower, 1 + Upper).to(x.dtype, x.device).reshape(-1, 1, 1, 1);
            return Adjust(x, factor, ValueRange).MoveToOuterDisposeScope();
        }

        /// <summary>Keras's contrast formula on a [N, C, H, W] batch: <c>(x - mean) * factor + mean</c> per image and channel, clipped to the range.</summary>
        internal static Tensor Adjust(Tensor images, Tensor factor, (double Low, double High) valueRange)
        {
            using var mean = images.mean([2, 3], keepdim: true);
            using var centred = images - mean;
            using var scaled = centred * factor;
            using var shifted = scaled + mean;
            return shifted.clamp(valueRange.Low, valueRange.High);
        }
    }
}

namespace TransferNotebooks
{
    public static partial class Keras
    {
        /// <summary>
        /// Random contrast in training (Keras <c>RandomContrast</c>) by a factor in [1 - <paramref name="factor"/>, 1 + <paramref name="factor"/>],
        /// outputs clipped to [<paramref name="valueLow"/>, <paramref name="valueHigh"/>] (Keras's <c>value_range</c>, 0-255 by
        /// default): <c>RandomContrast(0.2, valueHigh: 1, seed: 1)</c> on 0-1 images. Identity at inference.
        /// </summary>
        public static Layers.Layer RandomContrast(double factor, double valueLow = 0, double valueHigh = 255, int? seed = null, string? name = null, IEnumerable<int>? inputShape = null) =>
            new Layers.RandomContrast([factor], [valueLow, valueHigh], seed, name, inputShape);

        /// <summary>Random contrast by a factor in [1 - lower, 1 + upper] (Keras's <c>factor=(lower, upper)</c>).</summary>
        public static Layers.Layer RandomContrast((double Lower, double Upper) factor, double valueLow = 0, double valueHigh = 255, int? seed = null, string? name = null,
            IEnumerable<int>? inputShape = null) =>
            new Layers.RandomContrast([factor.Lower, factor.Upper], [valueLow, valueHigh], seed, name, inputShape);
    }
}

namespace TransferNotebooks.Layers
{
    /// <summary>Queues <see cref="RandomContrast"/>'s registration for the first registry lookup (see <see cref="PendingRegistrations"/>).</summary>
    internal static class RandomContrastRegisterQueue
    {
        [ModuleInitializer] internal static void Queue() => PendingRegistrations.Defer(static () => RandomContrast.Register());
    }
}
