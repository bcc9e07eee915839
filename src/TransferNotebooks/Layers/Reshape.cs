using System.Runtime.CompilerServices;
using System.Text.Json.Serialization;
using static TorchSharp.torch;
using TransferNotebooks.Interop.PyTorch;

namespace TransferNotebooks.Layers
{
    /// <summary>Reshape's saved settings, keyed as Keras names them.</summary>
    public sealed record ReshapeConfig([property: JsonConverter(typeof(IntsConverter))] int[] TargetShape);

    [JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, RespectRequiredConstructorParameters = true)]
    [JsonSerializable(typeof(ReshapeConfig))]
    internal sealed partial class ReshapeJson : JsonSerializerContext;

    /// <summary>Reshapes each sample to <see cref="TargetShape"/> (Keras order; one dimension may be -1).</summary>
    public sealed class Reshape : Layer
    {
        /// <summary>Creates the layer; see <see cref="Keras.Reshape"/>.</summary>
        public Reshape(IEnumerable<int> targetShape, string? name = null, IEnumerable<int>? inputShape = null) : base(name, inputShape) =>
            TargetShape = targetShape.ToArray();

        /// <summary>The per-sample shape to produce.</summary>
        public int[] TargetShape { get; }
        /// <summary>The Reshape layer type: name, Keras aliases, and its config record <see cref="ReshapeConfig"/>.</summary>
        public static LayerType Type { get; } = LayerType.Of<Reshape, ReshapeConfig>("Reshape", ReshapeJson.Default.ReshapeConfig, l => new(l.TargetShape), (c, name, shape) => new Reshape(c.TargetShape, name, shape));

        internal static void Register() => LayerRegistry.Register(Type);

        /// <inheritdoc />
        internal override PyTorchCode ToPyTorch(PyTorchContext context)
        {
            var x = ImageLayout.IsImage(InputShape!) ? $"{context.X}.permute(0, 2, 3, 1)" : context.X;
            var y = $"{x}.reshape({context.X}.shape[0], {string.Join(", ", OutputShape!)})";
            return new(null, ImageLayout.IsImage(OutputShape!) ? $"{y}.permute(0, 3, 1, 2)" : y);
        }

        /// <inheritdoc />
        public override LayerType LayerType => Type;

        /// <inheritdoc />
        protected override int[] BuildCore(int[] inputShape)
        {
            int total = inputShape.Aggregate(1, (a, b) => a * b);
            int known = TargetShape.Where(d => d != -1).Aggregate(1, (a, b) => a * b);
            var output = TargetShape.Select(d => d == -1 ? total / known : d).ToArray();
            if (output.Aggregate(1, (a, b) => a * b) != total)
                throw new ArgumentException($"Reshape layer '{Name}' cannot reshape {ShapeText(inputShape)} ({total} values) to {ShapeText(TargetShape)}.");
            return output;
        }

        /// <inheritdoc />
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public override Tensor Call(Tensor input, bool training)
        {
            var x = input.dim() == 4 ? ImageLayout.ToChannelsLast(input) : input;
            var y = x.reshape([x.shape[0], .. OutputShape!.Select(d => (long)d)]);
            return OutputShape!.Length == 3 ? ImageLayout.ToChannelsFirst(y) : y;
        }

        /// <inheritdoc />
        public override string[] ToOnnx(Interop.Onnx.OnnxGraph graph, string[] inputs)
        {
            var x = InputShape!.Length == 3 ? graph.Transpose(inputs[0], 0, 2, 3, 1) : inputs[0];
            var y = graph.Node("Reshape", [x, graph.Int64s([0, .. OutputShape!.Select(d => (long)d)], "shape")]);
            return [OutputShape!.Length == 3 ? graph.Transpose(y, 0, 3, 1, 2) : y];
        }
    }
}

namespace TransferNotebooks
{
    public static partial class Keras
    {
        /// <summary>Reshapes each sample (Keras <c>Reshape</c>), for example <c>Reshape([28, 28, 1])</c>.</summary>
        public static Layers.Layer Reshape(IEnumerable<int> targetShape, string? name = null, IEnumerable<int>? inputShape = null) => new Layers.Reshape(targetShape, name, inputShape);
    }
}

namespace TransferNotebooks.Layers
{
    /// <summary>Queues <see cref="Reshape"/>'s registration for the first registry lookup (see <see cref="PendingRegistrations"/>).</summary>
    internal static class ReshapeRegisterQueue
    {
        [ModuleInitializer] internal static void Queue() => PendingRegistrations.Defer(static () => Reshape.Register());
    }
}
