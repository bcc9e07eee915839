using static TorchSharp.torch;

namespace TransferNotebooks.Layers
{
    /// <summary>2-D max pooling (Keras <c>MaxPooling2D</c>).</summary>
    public sealed class MaxPooling2D : Layer
    {
        /// <summary>Creates the layer; see <see cref="Keras.MaxPooling2D"/>.</summary>
        public MaxPooling2D(int poolSize = 2, int? strides = null, string padding = "valid", string? name = null, IEnumerable<int>? inputShape = null)
            : base(name, inputShape)
        {
            PoolSize = poolSize;
            Strides = strides ?? poolSize;
            PaddingMode = Padding.Validate(padding, name ?? "max_pooling2d");
        }

        /// <summary>Window size.</summary>
        public int PoolSize { get; }
        /// <summary>Step between windows (defaults to the pool size).</summary>
        public int Strides { get; }
        /// <summary><c>valid</c> or <c>same</c>.</summary>
        public string PaddingMode { get; }
        /// <inheritdoc />
        public override string TypeName => "MaxPooling2D";

        /// <inheritdoc />
        protected override int[] BuildCore(int[] inputShape)
        {
            if (inputShape.Length != 3) throw new ArgumentException($"MaxPooling2D layer '{Name}' needs (height, width, channels) input but got {ShapeText(inputShape)}.");
            return [Padding.OutputLength(inputShape[0], PoolSize, Strides, PaddingMode), Padding.OutputLength(inputShape[1], PoolSize, Strides, PaddingMode), inputShape[2]];
        }

        /// <inheritdoc />
        public override Tensor Call(Tensor input, bool training)
        {
            using var padded = Padding.Apply(input, (PoolSize, PoolSize), (Strides, Strides), PaddingMode, double.NegativeInfinity);
            return nn.functional.max_pool2d(padded, [PoolSize, PoolSize], [Strides, Strides]);
        }

        /// <inheritdoc />
        public override IReadOnlyDictionary<string, object?> GetConfig() => new Dictionary<string, object?>
        { ["pool_size"] = new[] { PoolSize, PoolSize }, ["strides"] = new[] { Strides, Strides }, ["padding"] = PaddingMode };
    }
}

namespace TransferNotebooks
{
    public static partial class Keras
    {
        /// <summary>2-D max pooling (Keras <c>MaxPooling2D</c>), 2x2 by default.</summary>
        public static Layers.Layer MaxPooling2D(int poolSize = 2, int? strides = null, string padding = "valid", string? name = null) =>
            new Layers.MaxPooling2D(poolSize, strides, padding, name);
    }
}
