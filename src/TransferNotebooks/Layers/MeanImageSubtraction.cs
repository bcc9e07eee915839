using System.Runtime.CompilerServices;
using System.Text.Json.Serialization;
using static TorchSharp.torch;

namespace TransferNotebooks.Layers
{
    /// <summary>MeanImageSubtraction's saved settings (the mean image itself is saved as the layer's weight <c>mean</c>).</summary>
    /// <param name="ReverseChannels">Whether the channel order is reversed (RGB to BGR) before the mean is subtracted.</param>
    public sealed record MeanImageSubtractionConfig(bool ReverseChannels = false);

    [JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, RespectRequiredConstructorParameters = true)]
    [JsonSerializable(typeof(MeanImageSubtractionConfig))]
    internal sealed partial class MeanImageSubtractionJson : JsonSerializerContext;

    /// <summary>
    /// Subtracts a per-pixel mean image from every input image, optionally after reversing the channel order (RGB to BGR): the
    /// preprocessing of Caffe/CNTK-era ImageNet networks such as the ResNet18 of <c>Microsoft.ML.DnnImageFeaturizer.ResNet18</c>.
    /// The mean image (height, width, channels, in the output channel order) is a non-trainable weight, <c>mean</c>, so a saved
    /// model carries it. The same at training and inference.
    /// </summary>
    public sealed class MeanImageSubtraction : Layer
    {
        readonly Tensor? initialMean;

        /// <summary>Creates the layer; see <see cref="Keras.MeanImageSubtraction"/>.</summary>
        /// <param name="mean">The mean image (height, width, channels), channels in the order after reversal; null: zeros until weights are loaded.</param>
        /// <param name="reverseChannels">Reverse the channel order (RGB to BGR) before subtracting.</param>
        /// <param name="name">Layer name.</param>
        /// <param name="inputShape">(height, width, channels) when the layer comes first.</param>
        public MeanImageSubtraction(Tensor? mean, bool reverseChannels, string? name = null, IEnumerable<int>? inputShape = null) : base(name, inputShape)
        {
            if (mean is not null && mean.dim() != 3)
                throw new ArgumentException($"MeanImageSubtraction needs a mean image of shape (height, width, channels) but got [{string.Join(", ", mean.shape)}].", nameof(mean));
            initialMean = mean?.detach().to_type(ScalarType.Float32).permute(2, 0, 1).contiguous(); // stored channels-first, as images flow inside
            ReverseChannels = reverseChannels;
        }

        /// <summary>Whether the channel order is reversed (RGB to BGR) before subtracting.</summary>
        public bool ReverseChannels { get; }

        /// <summary>The mean image, stored [channels, height, width] (Keras's layout is (height, width, channels)); null before the layer is built.</summary>
        public Tensor? Mean { get; private set; }

        /// <summary>The MeanImageSubtraction layer type: name and its config record <see cref="MeanImageSubtractionConfig"/>.</summary>
        public static LayerType Type { get; } = LayerType.Of<MeanImageSubtraction, MeanImageSubtractionConfig>("MeanImageSubtraction",
            MeanImageSubtractionJson.Default.MeanImageSubtractionConfig, l => new(l.ReverseChannels),
            (c, name, shape) => new MeanImageSubtraction(null, c.ReverseChannels, name, shape));

        internal static void Register() => LayerRegistry.Register(Type);

        /// <inheritdoc />
        public override LayerType LayerType => Type;

        /// <inheritdoc />
        protected override int[] BuildCore(int[] inputShape)
        {
            if (inputShape.Length != 3)
                throw new ArgumentException($"MeanImageSubtraction layer '{Name}' needs images of shape (height, width, channels) but got {ShapeText(inputShape)}.");
            long[] internalShape = [inputShape[2], inputShape[0], inputShape[1]];
            if (initialMean is not null && !initialMean.shape.SequenceEqual(internalShape))
                throw new ArgumentException($"MeanImageSubtraction layer '{Name}' has a mean image of shape ({initialMean.shape[1]}, {initialMean.shape[2]}, {initialMean.shape[0]}) "
                    + $"but receives images of shape {ShapeText(inputShape)}. Resize the images to the mean image's size.");
            Mean = initialMean ?? zeros(internalShape);
            register_buffer("mean", Mean);
            return inputShape;
        }

        /// <inheritdoc />
        public override int[]? KerasAxisOrder(string weightName) => weightName == "mean" ? [1, 2, 0] : null; // (c, h, w) -> (h, w, c)

        /// <inheritdoc />
        public override string[] ToOnnx(Interop.Onnx.OnnxGraph graph, string[] inputs)
        {
            var x = inputs[0];
            if (ReverseChannels)
                x = graph.Node("Gather", [x, graph.Int64s([.. Enumerable.Range(0, (int)Mean!.shape[0]).Reverse().Select(c => (long)c)], "reversed_channels")],
                    new Interop.Onnx.OnnxAttribute("axis", 1L));
            return [graph.Node("Sub", [x, graph.Initializer(Mean!, "mean")])];
        }

        /// <inheritdoc />
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public override Tensor Call(Tensor input, bool training)
        {
            if (!ReverseChannels) return input.sub(Mean!);
            using var reversed = input.flip(1); // images are [N, C, H, W] inside
            return reversed.sub(Mean!);
        }
    }
}

namespace TransferNotebooks
{
    public static partial class Keras
    {
        /// <summary>
        /// Subtracts a mean image (height, width, channels) from every image, after reversing the channel order when
        /// <paramref name="reverseChannels"/> (RGB to BGR); the mean image is saved with the model.
        /// </summary>
        public static Layers.Layer MeanImageSubtraction(TorchSharp.torch.Tensor mean, bool reverseChannels = false, string? name = null) =>
            new Layers.MeanImageSubtraction(mean, reverseChannels, name);
    }
}

namespace TransferNotebooks.Layers
{
    /// <summary>Queues <see cref="MeanImageSubtraction"/>'s registration for the first registry lookup (see <see cref="PendingRegistrations"/>).</summary>
    internal static class MeanImageSubtractionRegisterQueue
    {
        [ModuleInitializer] internal static void Queue() => PendingRegistrations.Defer(static () => MeanImageSubtraction.Register());
    }
}
