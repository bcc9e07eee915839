using System.Runtime.CompilerServices;
using static TorchSharp.torch;

namespace TransferNotebooks.Layers
{
    /// <summary>The maximum of each channel over height and width: (H, W, C) to (C).</summary>
    public sealed class GlobalMaxPooling2D : Layer
    {
        /// <summary>Creates the layer; see <see cref="Keras.GlobalMaxPooling2D"/>.</summary>
        public GlobalMaxPooling2D(string? name = null, IEnumerable<int>? inputShape = null) : base(name, inputShape) { }
        /// <inheritdoc />
        /// <summary>The GlobalMaxPooling2D layer type: name, Keras aliases, and its config record <see cref="GlobalPoolingConfig"/>.</summary>
        public static LayerType Type { get; } = LayerType.Of<GlobalMaxPooling2D, GlobalPoolingConfig>("GlobalMaxPooling2D", GlobalPoolingJson.Default.GlobalPoolingConfig,
            l => new(),
            (c, name, shape) => { c.CheckSupported(name, "GlobalMaxPooling2D"); return new GlobalMaxPooling2D(name, shape); }, "GlobalMaxPool2D");

        internal static void Register() => LayerRegistry.Register(Type);

        /// <inheritdoc />
        public override LayerType LayerType => Type;
        /// <inheritdoc />
        protected override int[] BuildCore(int[] inputShape) => inputShape.Length == 3 ? [inputShape[2]]
            : throw new ArgumentException($"GlobalMaxPooling2D layer '{Name}' needs (height, width, channels) input but got {ShapeText(inputShape)}.");
        /// <inheritdoc />
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public override Tensor Call(Tensor input, bool training) => input.amax([2, 3]);

        /// <inheritdoc />
        public override string[] ToOnnx(Interop.Onnx.OnnxGraph graph, string[] inputs) =>
            [graph.Node("ReduceMax", [inputs[0]], new Interop.Onnx.OnnxAttribute("axes", new long[] { 2, 3 }), new Interop.Onnx.OnnxAttribute("keepdims", 0L))];

        /// <inheritdoc />
        internal override Interop.PyTorch.PyTorchCode ToPyTorch(Interop.PyTorch.PyTorchContext context) => new(null, $"{context.X}.amax((2, 3))");
    }
}

namespace TransferNotebooks
{
    public static partial class Keras
    {
        /// <summary>Global max pooling over height and width (Keras <c>GlobalMaxPooling2D</c>).</summary>
        public static Layers.Layer GlobalMaxPooling2D(string? name = null) => new Layers.GlobalMaxPooling2D(name);
    }
}

namespace TransferNotebooks.Layers
{
    /// <summary>Queues <see cref="GlobalMaxPooling2D"/>'s registration for the first registry lookup (see <see cref="PendingRegistrations"/>).</summary>
    internal static class GlobalMaxPooling2DRegisterQueue
    {
        [ModuleInitializer] internal static void Queue() => PendingRegistrations.Defer(static () => GlobalMaxPooling2D.Register());
    }
}
