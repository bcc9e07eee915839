using System.Runtime.CompilerServices;
using System.Text.Json.Serialization;
using static TorchSharp.torch;

namespace TransferNotebooks.Layers
{
    /// <summary>Resizing's saved settings, keyed and defaulted as Keras 3 names them.</summary>
    /// <param name="Height">Output height.</param>
    /// <param name="Width">Output width.</param>
    /// <param name="Interpolation"><c>bilinear</c>, <c>nearest</c>, <c>bicubic</c> or <c>area</c> (Keras's lanczos modes are refused).</param>
    /// <param name="CropToAspectRatio">Crop the largest centred window of the target aspect ratio before resizing (no distortion).</param>
    /// <param name="PadToAspectRatio">Not supported (Keras files may carry it as false).</param>
    /// <param name="Antialias">Smooth before downsampling (bilinear and bicubic only), as Keras's <c>antialias</c>.</param>
    /// <param name="DataFormat">Only <c>channels_last</c> is supported.</param>
    public sealed record ResizingConfig(int Height, int Width, string Interpolation = "bilinear", bool CropToAspectRatio = false,
        bool PadToAspectRatio = false, bool Antialias = false, string? DataFormat = null);

    [JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, RespectRequiredConstructorParameters = true)]
    [JsonSerializable(typeof(ResizingConfig))]
    internal sealed partial class ResizingJson : JsonSerializerContext;

    /// <summary>
    /// Resizes images to <see cref="Height"/> x <see cref="Width"/> (Keras <c>Resizing</c>), at training and inference alike:
    /// <c>Resizing(224, 224, cropToAspectRatio: true)</c> takes the largest centred window of the target's aspect ratio first,
    /// so photos are not distorted. Bilinear with half-pixel centres (torch's <c>interpolate</c>, <c>align_corners=False</c>,
    /// as TensorFlow's <c>resize</c>). No weights.
    /// </summary>
    public sealed class Resizing : Layer
    {
        /// <summary>Creates the layer; see <see cref="Keras.Resizing"/>.</summary>
        public Resizing(int height, int width, string interpolation = "bilinear", bool cropToAspectRatio = false, bool antialias = false,
            string? name = null, IEnumerable<int>? inputShape = null) : base(name, inputShape)
        {
            if (height <= 0 || width <= 0) throw new ArgumentOutOfRangeException(nameof(height), $"Resizing needs a positive size, got {height} x {width}; for example Resizing(224, 224).");
            Height = height;
            Width = width;
            Interpolation = ImageResize.Validate(interpolation, name ?? "resizing", "Resizing");
            CropToAspectRatio = cropToAspectRatio;
            Antialias = antialias;
        }

        /// <summary>Output height.</summary>
        public int Height { get; }
        /// <summary>Output width.</summary>
        public int Width { get; }
        /// <summary>The interpolation: <c>bilinear</c>, <c>nearest</c>, <c>bicubic</c> or <c>area</c>.</summary>
        public string Interpolation { get; }
        /// <summary>Whether the centred window of the target aspect ratio is cropped before resizing.</summary>
        public bool CropToAspectRatio { get; }
        /// <summary>Whether downsampling is antialiased.</summary>
        public bool Antialias { get; }

        /// <summary>The Resizing layer type: name, Keras aliases, and its config record <see cref="ResizingConfig"/>.</summary>
        public static LayerType Type { get; } = LayerType.Of<Resizing, ResizingConfig>("Resizing", ResizingJson.Default.ResizingConfig,
            l => new(l.Height, l.Width, l.Interpolation, l.CropToAspectRatio, Antialias: l.Antialias),
            (c, name, shape) =>
            {
                KerasSettings.RequireChannelsLast(c.DataFormat, name, "Resizing");
                KerasSettings.Refuse(c.PadToAspectRatio, name, "Resizing", "pad_to_aspect_ratio", "use crop_to_aspect_ratio=True, or pad the images before the model.");
                return new Resizing(c.Height, c.Width, c.Interpolation, c.CropToAspectRatio, c.Antialias, name, shape);
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
        public override Tensor Call(Tensor input, bool training) => CropToAspectRatio
            ? ImageResize.CropToAspectAndResize(input, Height, Width, Interpolation, Antialias)
            : ImageResize.Resize(input, Height, Width, Interpolation, Antialias);
    }
}

namespace TransferNotebooks
{
    public static partial class Keras
    {
        /// <summary>
        /// Resizing (Keras <c>Resizing</c>) to <paramref name="height"/> x <paramref name="width"/>, for example
        /// <c>Resizing(224, 224, cropToAspectRatio: true, inputShape: [256, 320, 3])</c>.
        /// </summary>
        public static Layers.Layer Resizing(int height, int width, string interpolation = "bilinear", bool cropToAspectRatio = false, bool antialias = false,
            string? name = null, IEnumerable<int>? inputShape = null) =>
            new Layers.Resizing(height, width, interpolation, cropToAspectRatio, antialias, name, inputShape);
    }
}

namespace TransferNotebooks.Layers
{
    /// <summary>Queues <see cref="Resizing"/>'s registration for the first registry lookup (see <see cref="PendingRegistrations"/>).</summary>
    internal static class ResizingRegisterQueue
    {
        [ModuleInitializer] internal static void Queue() => PendingRegistrations.Defer(static () => Resizing.Register());
    }
}
