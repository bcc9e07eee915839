using TorchSharp;
using System.Runtime.CompilerServices;
using System.Text.Json.Serialization;
using static TorchSharp.torch;
using TransferNotebooks.Interop.PyTorch;

namespace TransferNotebooks.Layers
{
    /// <summary>Rescaling's saved settings (one scale and offset for all channels), keyed as Keras names them.</summary>
    public sealed record RescalingConfig([property: JsonConverter(typeof(SingleNumberConverter))] double Scale,
        [property: JsonConverter(typeof(SingleNumberConverter))] double Offset = 0);

    [JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, RespectRequiredConstructorParameters = true)]
    [JsonSerializable(typeof(RescalingConfig))]
    internal sealed partial class RescalingJson : JsonSerializerContext;

    /// <summary>
    /// Multiplies inputs by <see cref="Scale"/> and adds <see cref="Offset"/> (Keras <c>Rescaling</c>), so raw uint8 pixels
    /// can go straight into a model: <c>Rescaling(1.0 / 255)</c> maps 0-255 to 0-1, <c>Rescaling(1.0 / 127.5, offset: -1)</c>
    /// to -1..1. No weights; the same at training and inference.
    /// </summary>
    public sealed class Rescaling : Layer
    {
        /// <summary>Creates the layer; see <see cref="Keras.Rescaling"/>.</summary>
        public Rescaling(double scale, double offset = 0, string? name = null, IEnumerable<int>? inputShape = null) : base(name, inputShape)
        {
            if (!double.IsFinite(scale) || !double.IsFinite(offset))
                throw new ArgumentOutOfRangeException(nameof(scale), $"Rescaling needs finite numbers (got scale {scale}, offset {offset}); for 0-255 pixels use Rescaling(1.0 / 255).");
            Scale = scale;
            Offset = offset;
        }

        /// <summary>The factor every input is multiplied by.</summary>
        public double Scale { get; }
        /// <summary>The value added after scaling.</summary>
        public double Offset { get; }
        /// <summary>The Rescaling layer type: name, Keras aliases, and its config record <see cref="RescalingConfig"/>.</summary>
        public static LayerType Type { get; } = LayerType.Of<Rescaling, RescalingConfig>("Rescaling", RescalingJson.Default.RescalingConfig, l => new(l.Scale, l.Offset), (c, name, shape) => new Rescaling(c.Scale, c.Offset, name, shape));

        internal static void Register() => LayerRegistry.Register(Type);

        /// <inheritdoc />
        internal override PyTorchCode ToPyTorch(PyTorchContext context) =>
            new(null, Offset == 0 ? $"({context.X} * {PythonSyntax.Number(Scale)})" : $"({context.X} * {PythonSyntax.Number(Scale)} + {PythonSyntax.Number(Offset)})");

        /// <inheritdoc />
        public override LayerType LayerType => Type;
        /// <inheritdoc />
        public override bool PassesMask => true;
        /// <inheritdoc />
        protected override int[] BuildCore(int[] inputShape) => inputShape;
        /// <inheritdoc />
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public override Tensor Call(Tensor input, bool training)
        {
            using Scalar scale = Scale, offset = Offset; // disposed here, not left to the finalizer (see Scalars)
            var scaled = input.mul(scale);
            return Offset == 0 ? scaled : scaled.add_(offset, Scalars.One);
        }

        /// <inheritdoc />
        public override string[] ToOnnx(Interop.Onnx.OnnxGraph graph, string[] inputs)
        {
            var scaled = graph.Node("Mul", [inputs[0], graph.Scalar((float)Scale, "scale")]);
            return [Offset == 0 ? scaled : graph.Node("Add", [scaled, graph.Scalar((float)Offset, "offset")])];
        }
    }
}

namespace TransferNotebooks
{
    public static partial class Keras
    {
        /// <summary>Rescaling (Keras <c>Rescaling</c>): <c>x * scale + offset</c>, for example <c>Rescaling(1.0 / 255, inputShape: [28, 28])</c> on uint8 images.</summary>
        public static Layers.Layer Rescaling(double scale, double offset = 0, string? name = null, IEnumerable<int>? inputShape = null) =>
            new Layers.Rescaling(scale, offset, name, inputShape);
    }
}

namespace TransferNotebooks.Layers
{
    /// <summary>Queues <see cref="Rescaling"/>'s registration for the first registry lookup (see <see cref="PendingRegistrations"/>).</summary>
    internal static class RescalingRegisterQueue
    {
        [ModuleInitializer] internal static void Queue() => PendingRegistrations.Defer(static () => Rescaling.Register());
    }
}
