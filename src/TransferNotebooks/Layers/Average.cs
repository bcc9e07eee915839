using System.Runtime.CompilerServices;
using static TorchSharp.torch;
using TransferNotebooks.Interop.PyTorch;

namespace TransferNotebooks.Layers
{
    /// <summary>Averages its inputs element-wise (Keras <c>Average</c>).</summary>
    public sealed class Average : MergeLayer
    {
        /// <summary>Creates the layer; see <see cref="Keras.Average"/>.</summary>
        public Average(string? name = null) : base(name) { }

        /// <summary>The Average layer type: name and its (empty) config record <see cref="MergeConfig"/>.</summary>
        public static LayerType Type { get; } = LayerType.Of<Average, MergeConfig>("Average", MergeJson.Default.MergeConfig, l => new(), (c, name, shape) => new Average(name));

        internal static void Register() => LayerRegistry.Register(Type);

        /// <inheritdoc />
        internal override PyTorchCode ToPyTorch(PyTorchContext context) => new(null, $"(({string.Join(" + ", context.Inputs)}) / {context.Inputs.Count})");

        /// <inheritdoc />
        public override LayerType LayerType => Type;

        /// <inheritdoc />
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public override Tensor Call(IReadOnlyList<Tensor> inputs, bool training)
        {
            CheckCount(inputs);
            var y = inputs[0].add(inputs[1], Scalars.One); for (int i = 2; i < inputs.Count; i++) y = y.add_(inputs[i], Scalars.One); return y.div_(inputs.Count);
        }

        /// <inheritdoc />
        public override string[] ToOnnx(Interop.Onnx.OnnxGraph graph, string[] inputs)
        {
            var sum = inputs.Skip(1).Aggregate(inputs[0], (y, x) => graph.Node("Add", [y, x]));
            return [graph.Node("Div", [sum, graph.Scalar(inputs.Length, "count")])];
        }
    }
}

namespace TransferNotebooks
{
    public static partial class Keras
    {
        /// <summary>Averages its inputs element-wise (Keras <c>Average</c>). Call it on symbolic tensors: <c>Average().Call(a, b)</c>.</summary>
        /// <param name="name">Layer name; auto-assigned when null.</param>
        public static Layers.MergeLayer Average(string? name = null) => new Layers.Average(name);
    }
}

namespace TransferNotebooks.Layers
{
    /// <summary>Queues <see cref="Average"/>'s registration for the first registry lookup (see <see cref="PendingRegistrations"/>).</summary>
    internal static class AverageRegisterQueue
    {
        [ModuleInitializer] internal static void Queue() => PendingRegistrations.Defer(static () => Average.Register());
    }
}
