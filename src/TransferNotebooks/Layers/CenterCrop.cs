using System.Runtime.CompilerServices;
using System.Text.Json.Serialization;
using static TorchSharp.torch;

namespace TransferNotebooks.Layers
{
    /// <summary>CenterCrop's saved settings, keyed as Keras names them.</summary>
    /// <param name="Height">Output height.</param>
    /// <param name="Width">Output width.</param>
    /// <param name="DataFormat">Only <c>channels_last</c> is supported.</param>
    public sealed record CenterCropConfig(int Height, int Width, string? DataFormat = null);

    [JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, RespectRequiredConstructorParameters = true)]
    [JsonSerializable(typeof(CenterCropConfig))]
    internal sealed partial class CenterCropJson : JsonSerializerContext;

    /// <summary>
    /// Crops the central <see cref="Height"/> x <see cref="Width"/> region of each image (Keras <c>CenterCrop</c>), at training
    /// and inference alike. The window starts at <c>(H - height) / 2</c>, rounded down. An image smaller than the target in either
    /// side is resized instead, after cropping the largest centred window of the target's aspect ratio (Keras's rule).
    /// </summary>
    public sealed class CenterCrop : Layer
    {
        /// <summary>Creates the layer; see <see cref="Keras.CenterCrop"/>.</summary>
        public CenterCrop(int height, int width, string? name = null, IEnumerable<int>? inputShape = null) : base(name, inputShape)
        {
            if (height <= 0 || width <= 0) throw new ArgumentOutOfRangeException(nameof(height), $"CenterCrop needs a positive size, got {height} x {width}; for example CenterCrop(224, 224).");
            Height = height;
            Width = width;
        }

        /// <summary>Output height.</summary>
        public int Height { get; }
        /// <summary>Output width.</summary>
        public int Width { get; }

        /// <summary>The CenterCrop layer type: name, Keras aliases, and its config record <see cref="CenterCropConfig"/>.</summary>
        public static LayerType Type { get; } = LayerType.Of<CenterCrop, CenterCropConfig>("CenterCrop", CenterCropJson.Default.CenterCropConfig,
            l => new(l.Height, l.Width),
            (c, name, shape) =>
            {
                KerasSettings.RequireChannelsLast(c.DataFormat, name, "CenterCrop");
                return new CenterCrop(c.Height, c.Width, name, shape);
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
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public override Tensor Call(Tensor input, bool training) => Crop(input, Height, Width);

        /// <summary>The central <paramref name="height"/> x <paramref name="width"/> window of a [N, C, H, W] batch (resized when the images are smaller).</summary>
        internal static Tensor Crop(Tensor images, int height, int width)
        {
            long h = images.shape[2], w = images.shape[3];
            if (h < height || w < width) return ImageResize.CropToAspectAndResize(images, height, width);
            var window = images.narrow(2, (h - height) / 2, height).narrow(3, (w - width) / 2, width);
            return images.is_floating_point() ? window : window.to_type(ScalarType.Float32);
        }
    }
}

namespace TransferNotebooks
{
    public static partial class Keras
    {
        /// <summary>The central crop (Keras <c>CenterCrop</c>) of <paramref name="height"/> x <paramref name="width"/>, for example <c>CenterCrop(224, 224)</c>.</summary>
        public static Layers.Layer CenterCrop(int height, int width, string? name = null, IEnumerable<int>? inputShape = null) =>
            new Layers.CenterCrop(height, width, name, inputShape);
    }
}

namespace TransferNotebooks.Layers
{
    /// <summary>Queues <see cref="CenterCrop"/>'s registration for the first registry lookup (see <see cref="PendingRegistrations"/>).</summary>
    internal static class CenterCropRegisterQueue
    {
        [ModuleInitializer] internal static void Queue() => PendingRegistrations.Defer(static () => CenterCrop.Register());
    }
}
