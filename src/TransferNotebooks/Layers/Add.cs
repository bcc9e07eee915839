using System.Runtime.CompilerServices;
using static TorchSharp.torch;
using TransferNotebooks.Interop.PyTorch;

namespace TransferNotebooks.Layers
{
    /// <summary>Adds its inputs element-wise (Keras <c>Add</c>): the residual connection <c>Add().Call(x, skip)</c>.</summary>
    public sealed class Add : MergeLayer
    {
        /// <summary>Creates the layer; see <see cref="Keras.Add"/>.</summary>
        public Add(string? name = null) : base(name) { }

        /// <summary>The Add layer type: name and its (empty) config record <see cref="MergeConfig"/>.</summary>
        public static LayerType Type { get; } = LayerType.Of<Add, MergeConfig>("Add", MergeJson.Default.MergeConfig, l => new(), (c, name, shape) => new Add(name));

        internal static void Register() => LayerRegistry.Register(Type);

        /// <inheritdoc />
        internal override PyTorchCode ToPyTorch(PyTorchContext context) => new(null, "(" + string.Join(" + ", context.Inputs) + ")");

        /// <inheritdoc />
        public override LayerType LayerType => Type;

        /// <inheritdoc />
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public override Tensor Call(IReadOnlyList<Tensor> inputs, bool training)
        {
            CheckCount(inputs);
            var y = inputs[0].add(inputs[1], Scalars.One); for (int i = 2; i < inputs.Count; i++) y = y.add_(inputs[i], Scalars.One); return y;
        }

        /// <inheritdoc />
        public override string[] ToOnnx(Interop.Onnx.OnnxGraph graph, string[] inputs) => [inputs.Skip(1).Aggregate(inputs[0], (y, x) => graph.Node("Add", [y, x]))];
    }
}

namespace TransferNotebooks
{
    public static partial class Keras
    {
        /// <summary>Adds its inputs element-wise (Keras <c>Add</c>): the residual connection <c>Add().Call(x, skip)</c>. Call it on symbolic tensors: <c>Add().Call(a, b)</c>.</summary>
        /// <param name="name">Layer name; auto-assigned when null.</param>
        public static Layers.MergeLayer Add(string? name = null) => new Layers.Add(name);
    }
}

namespace TransferNotebooks.Layers
{
    /// <summary>Queues <see cref="Add"/>'s registration for the first registry lookup (see <see cref="PendingRegistrations"/>).</summary>
    internal static class AddRegisterQueue
    {
        [ModuleInitializer] internal static void Queue() => PendingRegistrations.Defer(static () => Add.Register());
    }
}
