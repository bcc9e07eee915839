using System.Runtime.CompilerServices;
using System.Text.Json.Serialization;
using static TorchSharp.torch;

namespace TransferNotebooks.Layers
{
    /// <summary>RandomCrop's saved settings, keyed as Keras names them.</summary>
    /// <param name="Height">Output height.</param>
    /// <param name="Width">Output width.</param>
    /// <param name="Seed">The layer's random seed; null for torch's global generator.</param>
    /// <param name="DataFormat">Only <c>channels_last</c> is supported.</param>
    public sealed record RandomCropConfig(int Height, int Width, int? Seed = null, string? DataFormat = null);

    [JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, RespectRequiredConstructorParameters = true)]
    [JsonSerializable(typeof(RandomCropConfig))]
    internal sealed partial class RandomCropJson : JsonSerializerContext;

    /// <summary>
    /// Crops a random <see cref="Height"/> x <see cref="Width"/> window in training (Keras <c>RandomCrop</c>: one location for the
    /// whole batch, uniform over all positions). At inference, and in training when an image is smaller than the target, it
    /// resizes instead: the largest centred window of the target aspect ratio, resized bilinearly (Keras's rule), so the output
    /// shape is the same in both modes.
    /// </summary>
    public sealed class RandomCrop : RandomImageLayer
    {
        /// <summary>Creates the layer; see <see cref="Keras.RandomCrop"/>.</summary>
        public RandomCrop(int height, int width, int? seed = null, string? name = null, IEnumerable<int>? inputShape = null) : base(seed, name, inputShape)
        {
            if (height <= 0 || width <= 0) throw new ArgumentOutOfRangeException(nameof(height), $"RandomCrop needs a positive size, got {height} x {width}; for example RandomCrop(224, 224).");
            Height = height;
            Width = width;
        }

        /// <summary>Output height.</summary>
        public int Height { get; }
        /// <summary>Output width.</summary>
        public int Width { get; }

        /// <summary>The RandomCrop layer type: name, Keras aliases, and its config record <see cref="RandomCropConfig"/>.</summary>
        public static LayerType Type { get; } = LayerType.Of<RandomCrop, RandomCropConfig>("RandomCrop", RandomCropJson.Default.RandomCropConfig,
            l => new(l.Height, l.Width, l.Seed),
            (c, name, shape) =>
            {
                KerasSettings.RequireChannelsLast(c.DataFormat, name, "RandomCrop");
                return new RandomCrop(c.Height, c.Width, c.Seed, name, shape);
            });

        internal static void Register() => LayerRegistry.Register(Type);

        /// <inheritdoc />
        public override LayerType LayerType => Type;

        /// <inheritdoc />
        protected override int[] BuildCore(int[] inputShape)
        {
            ImageResize.RequireImage(inputShape, Name, TypeName);
            return [Height, Width, inputShape[2]];
        }

        /// <inheritdoc />
        protected override Tensor Augment(Tensor images)
        {
            long h = images.shape[2], w = images.shape[3];
            if (h < Height || w < Width) return Infer(images);
            using var offsets = Uniform(2, 0, 1);
            var u = offsets.data<double>();
            long top = Math.Min((long)(u[0] * (h - Height + 1)), h - Height), left = Math.Min((long)(u[1] * (w - Width + 1)), w - Width);
            using var rows = images.narrow(2, top, Height);
            var window = rows.narrow(3, left, Width);
            if (images.is_floating_point()) return window;
            using (window) return window.to_type(ScalarType.Float32);
        }

        /// <inheritdoc />
        protected override Tensor Infer(Tensor images) => ImageResize.CropToAspectAndResize(images, Height, Width);
    }
}

namespace TransferNotebooks
{
    public static partial class Keras
    {
        /// <summary>
        /// A random crop in training (Keras <c>RandomCrop</c>), for example <c>RandomCrop(224, 224, seed: 1)</c> after
        /// <c>Resizing(256, 256)</c>; at inference the largest centred window of that aspect ratio, resized.
        /// </summary>
        public static Layers.Layer RandomCrop(int height, int width, int? seed = null, string? name = null, IEnumerable<int>? inputShape = null) =>
            new Layers.RandomCrop(height, width, seed, name, inputShape);
    }
}

namespace TransferNotebooks.Layers
{
    /// <summary>Queues <see cref="RandomCrop"/>'s registration for the first registry lookup (see <see cref="PendingRegistrations"/>).</summary>
    internal static class RandomCropRegisterQueue
    {
        [ModuleInitializer] internal static void Queue() => PendingRegistrations.Defer(static () => RandomCrop.Register());
    }
}
