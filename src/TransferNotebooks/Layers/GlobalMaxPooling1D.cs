using static TorchSharp.torch;

namespace TransferNotebooks.Layers
{
    /// <summary>The maximum over the time axis: (steps, channels) to (channels), the usual head of a text convolution.</summary>
    public sealed class GlobalMaxPooling1D : Layer
    {
        /// <summary>Creates the layer; see <see cref="Keras.GlobalMaxPooling1D"/>.</summary>
        public GlobalMaxPooling1D(string? name = null, IEnumerable<int>? inputShape = null) : base(name, inputShape) { }
        /// <inheritdoc />
        public override string TypeName => "GlobalMaxPooling1D";
        /// <inheritdoc />
        protected override int[] BuildCore(int[] inputShape) => inputShape.Length == 2 ? [inputShape[1]]
            : throw new ArgumentException($"GlobalMaxPooling1D layer '{Name}' needs (steps, channels) input but got {ShapeText(inputShape)}.");
        /// <inheritdoc />
        public override Tensor Call(Tensor input, bool training) => input.amax([1]);
    }
}

namespace TransferNotebooks
{
    public static partial class Keras
    {
        /// <summary>Global max pooling over time (Keras <c>GlobalMaxPooling1D</c>).</summary>
        public static Layers.Layer GlobalMaxPooling1D(string? name = null) => new Layers.GlobalMaxPooling1D(name);
    }
}
