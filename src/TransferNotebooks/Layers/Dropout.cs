using System.Runtime.CompilerServices;
using System.Text.Json.Serialization;
using static TorchSharp.torch;
using TransferNotebooks.Interop.PyTorch;

namespace TransferNotebooks.Layers
{
    /// <summary>Dropout's saved settings, keyed as Keras names them.</summary>
    public sealed record DropoutConfig(double Rate);

    [JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, RespectRequiredConstructorParameters = true)]
    [JsonSerializable(typeof(DropoutConfig))]
    internal sealed partial class DropoutJson : JsonSerializerContext;

    /// <summary>Randomly zeroes a fraction of inputs during training and scales the rest by 1/(1-rate); identity at inference.</summary>
    public sealed class Dropout : Layer
    {
        /// <summary>Creates the layer; see <see cref="Keras.Dropout"/>.</summary>
        public Dropout(double rate, string? name = null, IEnumerable<int>? inputShape = null) : base(name, inputShape)
        {
            if (rate is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(rate), rate, "Dropout rate must be in [0, 1), for example 0.5.");
            Rate = rate;
        }

        /// <summary>The fraction of inputs dropped.</summary>
        public double Rate { get; }
        /// <summary>The Dropout layer type: name, Keras aliases, and its config record <see cref="DropoutConfig"/>.</summary>
        public static LayerType Type { get; } = LayerType.Of<Dropout, DropoutConfig>("Dropout", DropoutJson.Default.DropoutConfig, l => new(l.Rate), (c, name, shape) => new Dropout(c.Rate, name, shape));

        internal static void Register() => LayerRegistry.Register(Type);

        /// <inheritdoc />
        internal override PyTorchCode ToPyTorch(PyTorchContext context) =>
            new($"nn.Dropout({PythonSyntax.Number(Rate)})", $"{context.Self}({context.X})");

        /// <inheritdoc />
        public override LayerType LayerType => Type;
        /// <inheritdoc />
        public override bool PassesMask => true;
        /// <inheritdoc />
        protected override int[] BuildCore(int[] inputShape) => inputShape;
        /// <inheritdoc />
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public override Tensor Call(Tensor input, bool training) =>
            training && Rate > 0 ? nn.functional.dropout(input, Rate, true) : input.alias();

        /// <inheritdoc />
        public override string[] ToOnnx(Interop.Onnx.OnnxGraph graph, string[] inputs) => [inputs[0]]; // inference: the identity
    }
}

namespace TransferNotebooks
{
    public static partial class Keras
    {
        /// <summary>Dropout (Keras <c>Dropout</c>) with the given rate.</summary>
        public static Layers.Layer Dropout(double rate, string? name = null, IEnumerable<int>? inputShape = null) => new Layers.Dropout(rate, name, inputShape);
    }
}

namespace TransferNotebooks.Layers
{
    /// <summary>Queues <see cref="Dropout"/>'s registration for the first registry lookup (see <see cref="PendingRegistrations"/>).</summary>
    internal static class DropoutRegisterQueue
    {
        [ModuleInitializer] internal static void Queue() => PendingRegistrations.Defer(static () => Dropout.Register());
    }
}
