using static TorchSharp.torch;

namespace TransferNotebooks.Layers
{
    /// <summary>Flattens each sample to a vector, in Keras's order (H, W, C for images), so weights match Keras models.</summary>
    public sealed class Flatten : Layer
    {
        /// <summary>Creates the layer; see <see cref="Keras.Flatten"/>.</summary>
        public Flatten(string? name = null, IEnumerable<int>? inputShape = null) : base(name, inputShape) { }

        /// <inheritdoc />
        public override string TypeName => "Flatten";

        /// <inheritdoc />
        protected override int[] BuildCore(int[] inputShape) => [inputShape.Aggregate(1, (a, b) => a * b)];

        /// <inheritdoc />
        public override Tensor Call(Tensor input, bool training)
        {
            var x = input.dim() == 4 ? ImageLayout.ToChannelsLast(input) : input;
            return x.reshape(x.shape[0], -1);
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
