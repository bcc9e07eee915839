using System.Runtime.CompilerServices;
using static TorchSharp.torch;
using TransferNotebooks.Interop.PyTorch;

namespace TransferNotebooks.Layers
{
    /// <summary>2-D average pooling (Keras <c>AveragePooling2D</c>); with "same" padding the padded cells are not counted, as in Keras.</summary>
    public sealed class AveragePooling2D : Pooling2D
    {
        /// <summary>Creates the layer; see <see cref="Keras.AveragePooling2D"/>.</summary>
        public AveragePooling2D(int poolSize = 2, int? strides = null, string padding = "valid", string? name = null, IEnumerable<int>? inputShape = null)
            : base(poolSize, strides, padding, "average_pooling2d", name, inputShape) { }

        /// <inheritdoc />
        /// <summary>The AveragePooling2D layer type: name, Keras aliases, and its config record <see cref="PoolingConfig"/>.</summary>
        public static LayerType Type { get; } = LayerType.Of<AveragePooling2D, PoolingConfig>("AveragePooling2D", PoolingJson.Default.PoolingConfig,
            l => new([l.PoolSize, l.PoolSize], [l.Strides, l.Strides], l.PaddingMode),
            (c, name, shape) => { var (pool, strides) = c.Square(name, "AveragePooling2D"); return new AveragePooling2D(pool, strides, c.Padding, name, shape); }, "AvgPool2D");

        internal static void Register() => LayerRegistry.Register(Type);

        /// <inheritdoc />
        internal override PyTorchCode ToPyTorch(PyTorchContext context)
        {
            if (PaddingMode == "valid") return new(null, $"F.avg_pool2d({context.X}, {PoolSize}, {Strides})");
            // As Call: the average of the real cells only (the padded sum over the count of real cells per window).
            var pads = PyTorchPads() ?? "[0, 0, 0, 0]";
            return new(null, $"(F.avg_pool2d(F.pad({context.X}, {pads}), {PoolSize}, {Strides}) / F.avg_pool2d(F.pad(torch.ones_like({context.X}[:1, :1]), {pads}), {PoolSize}, {Strides}))");
        }

        /// <inheritdoc />
        public override LayerType LayerType => Type;

        /// <inheritdoc />
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public override Tensor Call(Tensor input, bool training)
        {
            if (PaddingMode == "valid") return nn.functional.avg_pool2d(input, [PoolSize, PoolSize], [Strides, Strides]);
            // Average of the real cells only: sum over the zero-padded input divided by the count of real cells per window.
            using var scope = NewDisposeScope();
            var padded = Padding.Apply(input, (PoolSize, PoolSize), (Strides, Strides), PaddingMode);
            var ones = Padding.Apply(ones_like(input[..1, ..1]), (PoolSize, PoolSize), (Strides, Strides), PaddingMode);
            var sums = nn.functional.avg_pool2d(padded, [PoolSize, PoolSize], [Strides, Strides]);
            var counts = nn.functional.avg_pool2d(ones, [PoolSize, PoolSize], [Strides, Strides]);
            return (sums / counts).MoveToOuterDisposeScope();
        }

        /// <inheritdoc />
        public override string[] ToOnnx(Interop.Onnx.OnnxGraph graph, string[] inputs) =>
            [graph.Node("AveragePool", [inputs[0]], [.. OnnxPoolingAttributes(), new("count_include_pad", 0L)])];
    }
}

namespace TransferNotebooks
{
    public static partial class Keras
    {
        /// <summary>2-D average pooling (Keras <c>AveragePooling2D</c>), 2x2 by default.</summary>
        public static Layers.Layer AveragePooling2D(int poolSize = 2, int? strides = null, string padding = "valid", string? name = null) =>
            new Layers.AveragePooling2D(poolSize, strides, padding, name);
    }
}

namespace TransferNotebooks.Layers
{
    /// <summary>Queues <see cref="AveragePooling2D"/>'s registration for the first registry lookup (see <see cref="PendingRegistrations"/>).</summary>
    internal static class AveragePooling2DRegisterQueue
    {
        [ModuleInitializer] internal static void Queue() => PendingRegistrations.Defer(static () => AveragePooling2D.Register());
    }
}
