using System.Runtime.CompilerServices;
using static TorchSharp.torch;
using TransferNotebooks.Interop.PyTorch;

namespace TransferNotebooks.Layers
{
    /// <summary>Averages over the time axis: (T, D) to (D), the usual head of an Embedding model.</summary>
    public sealed class GlobalAveragePooling1D : Layer
    {
        /// <summary>Creates the layer; see <see cref="Keras.GlobalAveragePooling1D"/>.</summary>
        public GlobalAveragePooling1D(string? name = null, IEnumerable<int>? inputShape = null) : base(name, inputShape) { }
        /// <inheritdoc />
        /// <summary>The GlobalAveragePooling1D layer type: name, Keras aliases, and its config record <see cref="GlobalPoolingConfig"/>.</summary>
        public static LayerType Type { get; } = LayerType.Of<GlobalAveragePooling1D, GlobalPoolingConfig>("GlobalAveragePooling1D", GlobalPoolingJson.Default.GlobalPoolingConfig,
            l => new(),
            (c, name, shape) => { c.CheckSupported(name, "GlobalAveragePooling1D"); return new GlobalAveragePooling1D(name, shape); }, "GlobalAvgPool1D");

        internal static void Register() => LayerRegistry.Register(Type);

        /// <inheritdoc />
        internal override PyTorchCode ToPyTorch(PyTorchContext context) => context.Mask is not { } m
            ? new(null, $"{context.X}.mean(1)")
            : new(null, $"(({context.X} * {m}.to({context.X}.dtype).unsqueeze(-1)).sum(1) / {m}.to({context.X}.dtype).unsqueeze(-1).sum(1).clamp_min(1))");

        /// <inheritdoc />
        public override LayerType LayerType => Type;
        /// <inheritdoc />
        protected override int[] BuildCore(int[] inputShape) => inputShape.Length == 2 ? [inputShape[1]]
            : throw new ArgumentException($"GlobalAveragePooling1D layer '{Name}' needs (steps, features) input but got {ShapeText(inputShape)}.");
        /// <inheritdoc />
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public override Tensor Call(Tensor input, bool training) => input.mean([1]);
        /// <summary>With a padding mask: the mean over real steps only (Keras); a row of padding only gives zeros.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public override Tensor Call(Tensor input, bool training, Tensor? mask)
        {
            if (mask is null) return Call(input, training);
            using var weights = mask.to_type(input.dtype).unsqueeze(-1);
            using var sum = input.mul(weights).sum([1]);
            using var count = weights.sum([1]).clamp_min(1);
            return sum.div(count);
        }

        /// <inheritdoc />
        public override string[] ToOnnx(Interop.Onnx.OnnxGraph graph, string[] inputs)
        {
            var keepdims = new Interop.Onnx.OnnxAttribute("keepdims", 0L);
            if (graph.MaskOf(inputs[0]) is not { } mask)
                return [graph.Node("ReduceMean", [inputs[0]], new Interop.Onnx.OnnxAttribute("axes", new long[] { 1 }), keepdims)];
            // The mean over real steps only, as Call with a mask: sum(x · mask) / max(count, 1).
            var axis = graph.Int64s([1], "axis");
            var weights = graph.Node("Unsqueeze", [graph.Node("Cast", [mask], new Interop.Onnx.OnnxAttribute("to", 1L)), graph.Int64s([-1], "last")]);
            var sum = graph.Node("ReduceSum", [graph.Node("Mul", [inputs[0], weights]), axis], keepdims);
            var count = graph.Node("Max", [graph.Node("ReduceSum", [weights, axis], keepdims), graph.Scalar(1f, "one")]);
            return [graph.Node("Div", [sum, count])];
        }
    }
}

namespace TransferNotebooks
{
    public static partial class Keras
    {
        /// <summary>Global average pooling over time (Keras <c>GlobalAveragePooling1D</c>).</summary>
        public static Layers.Layer GlobalAveragePooling1D(string? name = null) => new Layers.GlobalAveragePooling1D(name);
    }
}

namespace TransferNotebooks.Layers
{
    /// <summary>Queues <see cref="GlobalAveragePooling1D"/>'s registration for the first registry lookup (see <see cref="PendingRegistrations"/>).</summary>
    internal static class GlobalAveragePooling1DRegisterQueue
    {
        [ModuleInitializer] internal static void Queue() => PendingRegistrations.Defer(static () => GlobalAveragePooling1D.Register());
    }
}
