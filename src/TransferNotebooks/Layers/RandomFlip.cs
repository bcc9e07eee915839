using System.Runtime.CompilerServices;
using System.Text.Json.Serialization;
using static TorchSharp.torch;

namespace TransferNotebooks.Layers
{
    /// <summary>RandomFlip's saved settings, keyed and defaulted as Keras names them.</summary>
    /// <param name="Mode"><c>horizontal</c>, <c>vertical</c> or <c>horizontal_and_vertical</c> (Keras's default).</param>
    /// <param name="Seed">The layer's random seed; null for torch's global generator.</param>
    /// <param name="DataFormat">Only <c>channels_last</c> is supported.</param>
    public sealed record RandomFlipConfig(string Mode = RandomFlip.HorizontalAndVertical, int? Seed = null, string? DataFormat = null);

    [JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, RespectRequiredConstructorParameters = true)]
    [JsonSerializable(typeof(RandomFlipConfig))]
    internal sealed partial class RandomFlipJson : JsonSerializerContext;

    /// <summary>
    /// Flips each image left-right and/or top-bottom with probability 1/2 per direction, independently per image (Keras
    /// <c>RandomFlip</c>), in training only; identity at inference.
    /// </summary>
    public sealed class RandomFlip : RandomImageLayer
    {
        /// <summary>Flip left-right only.</summary>
        public const string Horizontal = "horizontal";
        /// <summary>Flip top-bottom only.</summary>
        public const string Vertical = "vertical";
        /// <summary>Both directions, each with probability 1/2 (Keras's default).</summary>
        public const string HorizontalAndVertical = "horizontal_and_vertical";

        /// <summary>Creates the layer; see <see cref="Keras.RandomFlip"/>.</summary>
        public RandomFlip(string mode = HorizontalAndVertical, int? seed = null, string? name = null, IEnumerable<int>? inputShape = null) : base(seed, name, inputShape)
        {
            if (mode is not (Horizontal or Vertical or HorizontalAndVertical))
                throw new ArgumentException($"RandomFlip mode '{mode}' is not one of \"horizontal\", \"vertical\", \"horizontal_and_vertical\".", nameof(mode));
            Mode = mode;
        }

        /// <summary>Which directions flip.</summary>
        public string Mode { get; }

        /// <summary>The RandomFlip layer type: name, Keras aliases, and its config record <see cref="RandomFlipConfig"/>.</summary>
        public static LayerType Type { get; } = LayerType.Of<RandomFlip, RandomFlipConfig>("RandomFlip", RandomFlipJson.Default.RandomFlipConfig,
            l => new(l.Mode, l.Seed),
            (c, name, shape) =>
            {
                KerasSettings.RequireChannelsLast(c.DataFormat, name, "RandomFlip");
                return new RandomFlip(c.Mode, c.Seed, name, shape);
            });

        internal static void Register() => LayerRegistry.Register(Type);

        /// <inheritdoc />
        public override LayerType LayerType => Type;

        /// <inheritdoc />
        protected override Tensor Augment(Tensor images)
        {
            using var scope = NewDisposeScope();
            long n = images.shape[0];
            var x = images.is_floating_point() ? images : images.to_type(ScalarType.Float32);
            if (Mode != Vertical) x = FlipSome(x, n, 3);
            if (Mode != Horizontal) x = FlipSome(x, n, 2);
            return (ReferenceEquals(x, images) ? x.alias() : x).MoveToOuterDisposeScope();
        }

        /// <summary>Flips along <paramref name="dim"/> the images whose uniform draw is below 1/2.</summary>
        Tensor FlipSome(Tensor x, long n, long dim)
        {
            var flip = Uniform(n, 0, 1).lt(0.5).to(x.device).reshape(n, 1, 1, 1);
            return where(flip, x.flip(dim), x);
        }
    }
}

namespace TransferNotebooks
{
    public static partial class Keras
    {
        /// <summary>
        /// Random flips in training (Keras <c>RandomFlip</c>): <c>RandomFlip("horizontal", seed: 1)</c> for photos whose
        /// left and right are alike; identity at inference.
        /// </summary>
        public static Layers.Layer RandomFlip(string mode = Layers.RandomFlip.HorizontalAndVertical, int? seed = null, string? name = null, IEnumerable<int>? inputShape = null) =>
            new Layers.RandomFlip(mode, seed, name, inputShape);
    }
}

namespace TransferNotebooks.Layers
{
    /// <summary>Queues <see cref="RandomFlip"/>'s registration for the first registry lookup (see <see cref="PendingRegistrations"/>).</summary>
    internal static class RandomFlipRegisterQueue
    {
        [ModuleInitializer] internal static void Queue() => PendingRegistrations.Defer(static () => RandomFlip.Register());
    }
}
