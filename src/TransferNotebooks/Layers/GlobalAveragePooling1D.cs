using static TorchSharp.torch;

namespace TransferNotebooks.Layers
{
    /// <summary>Averages over the time axis: (T, D) to (D), the usual head of an Embedding model.</summary>
    public sealed class GlobalAveragePooling1D : Layer
    {
        /// <summary>Creates the layer; see <see cref="Keras.GlobalAveragePooling1D"/>.</summary>
        public GlobalAveragePooling1D(string? name = null, IEnumerable<int>? inputShape = null) : base(name, inputShape) { }
        /// <inheritdoc />
        public override string TypeName => "GlobalAveragePooling1D";
        /// <inheritdoc />
        protected override int[] BuildCore(int[] inputShape) => inputShape.Length == 2 ? [inputShape[1]]
            : throw new ArgumentException($"GlobalAveragePooling1D layer '{Name}' needs (steps, features) input but got {ShapeText(inputShape)}.");
        /// <inheritdoc />
        public override Tensor Call(Tensor input, bool training) => input.mean([1]);
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
