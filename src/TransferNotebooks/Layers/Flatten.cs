using System.Text.Json.Serialization;
using System.Runtime.CompilerServices;
using static TorchSharp.torch;
using TransferNotebooks.Interop.PyTorch;

namespace TransferNotebooks.Layers
{
    /// <summary>Flatten's saved settings, keyed as Keras names them (only channels_last is supported).</summary>
    public sealed record FlattenConfig(string DataFormat = "channels_last");

    [JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, RespectRequiredConstructorParameters = true)]
    [JsonSerializable(typeof(FlattenConfig))]
    internal sealed partial class FlattenJson : JsonSerializerContext;

    /// <summary>Flattens each sample to a vector, in Keras's order (H, W, C for images), so weights match Keras models.</summary>
    public sealed class Flatten : Layer
    {
        /// <summary>Creates the layer; see <see cref="Keras.Flatten"/>.</summary>
        public Flatten(string? name = null, IEnumerable<int>? inputShape = null) : base(name, inputShape) { }

        /// <inheritdoc />
        /// <summary>The Flatten layer type: name, Keras aliases, and its config record <see cref="FlattenConfig"/>.</summary>
        public static LayerType Type { get; } = LayerType.Of<Flatten, FlattenConfig>("Flatten", FlattenJson.Default.FlattenConfig,
            l => new(),
            (c, name, shape) => { KerasSettings.RequireChannelsLast(c.DataFormat, name, "Flatten"); return new Flatten(name, shape); });

        internal static void Register() => LayerRegistry.Register(Type);

        /// <inheritdoc />
        internal override PyTorchCode ToPyTorch(PyTorchContext context) => new(null, ImageLayout.IsImage(InputShape!)
            ? $"{context.X}.permute(0, 2, 3, 1).reshape({context.X}.shape[0], -1)" // Keras's order: (H, W, C)
            : $"{context.X}.reshape({context.X}.shape[0], -1)");

        /// <inheritdoc />
        public override LayerType LayerType => Type;

        /// <inheritdoc />
        protected override int[] BuildCore(int[] inputShape) => [inputShape.Aggregate(1, (a, b) => a * b)];

        /// <inheritdoc />
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public override Tensor Call(Tensor input, bool training)
        {
            var x = input.dim() == 4 ? ImageLayout.ToChannelsLast(input) : input;
            return x.reshape(x.size(0), -1);
        }

        /// <inheritdoc />
        public override string[] ToOnnx(Interop.Onnx.OnnxGraph graph, string[] inputs)
        {
            var x = InputShape!.Length == 3 ? graph.Transpose(inputs[0], 0, 2, 3, 1) : inputs[0]; // back to Keras's channels last
            return [graph.Node("Flatten", [x], new Interop.Onnx.OnnxAttribute("axis", 1L))];
        }
    }
}

namespace TransferNotebooks
{
    public static partial class Keras
    {
        /// <summary>Flattens each sample (Keras <c>Flatten</c>); give <paramref name="inputShape"/> when it is the first layer.</summary>
        public static Layers.Layer Flatten(IEnumerable<int>? inputShape = null, string? name = null) => new Layers.Flatten(name, inputShape);
    }
}

namespace TransferNotebooks.Layers
{
    /// <summary>Queues <see cref="Flatten"/>'s registration for the first registry lookup (see <see cref="PendingRegistrations"/>).</summary>
    internal static class FlattenRegisterQueue
    {
        [ModuleInitializer] internal static void Queue() => PendingRegistrations.Defer(static () => Flatten.Register());
    }
}
