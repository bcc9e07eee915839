using System.Runtime.CompilerServices;
using System.Text.Json.Serialization;
using static TorchSharp.torch;
using TransferNotebooks.Interop.PyTorch;

namespace TransferNotebooks.Layers
{
    /// <summary>Concatenate's saved settings, keyed as Keras names them.</summary>
    /// <param name="Axis">The Keras axis (counting the batch as axis 0; -1 is the last, the channels of images).</param>
    public sealed record ConcatenateConfig(int Axis = -1);

    [JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, RespectRequiredConstructorParameters = true)]
    [JsonSerializable(typeof(ConcatenateConfig))]
    internal sealed partial class ConcatenateJson : JsonSerializerContext;

    /// <summary>
    /// Joins its inputs along one axis (Keras <c>Concatenate</c>, axis -1 by default: features, or the channels of images).
    /// The axis is Keras's (channels last); inside models images are [N, C, H, W], so the channel axis of images is dim 1 there.
    /// </summary>
    public sealed class Concatenate : MergeLayer
    {
        /// <summary>Creates the layer; see <see cref="Keras.Concatenate"/>.</summary>
        public Concatenate(int axis = -1, string? name = null) : base(name)
        {
            if (axis == 0) throw new ArgumentOutOfRangeException(nameof(axis), axis, "Concatenate cannot join along the batch axis (0); use -1 (the last axis) or a per-sample axis 1, 2, ...");
            Axis = axis;
        }

        /// <summary>The Keras axis (batch = 0, -1 = last).</summary>
        public int Axis { get; }

        /// <summary>The Concatenate layer type: name and its config record <see cref="ConcatenateConfig"/>.</summary>
        public static LayerType Type { get; } = LayerType.Of<Concatenate, ConcatenateConfig>("Concatenate", ConcatenateJson.Default.ConcatenateConfig,
            l => new(l.Axis), (c, name, shape) => new Concatenate(c.Axis, name));

        internal static void Register() => LayerRegistry.Register(Type);

        /// <inheritdoc />
        internal override PyTorchCode ToPyTorch(PyTorchContext context) =>
            new(null, $"torch.cat([{string.Join(", ", context.Inputs)}], {TensorDim(InputShapes![0].Length)})");

        /// <inheritdoc />
        public override LayerType LayerType => Type;

        /// <summary>The per-sample index (0-based, without the batch) of <see cref="Axis"/> for samples of rank <paramref name="rank"/>.</summary>
        int SampleAxis(int rank)
        {
            int full = Axis < 0 ? Axis + rank + 1 : Axis;
            if (full < 1 || full > rank)
                throw new ArgumentException($"Layer {Label} joins along axis {Axis}, but its inputs have {rank} dimension(s) per sample (valid axes: 1..{rank}, or -1..-{rank}).");
            return full - 1;
        }

        /// <inheritdoc />
        protected override int[] MergedShape(IReadOnlyList<int[]> shapes, IReadOnlyList<string> origins)
        {
            int rank = shapes[0].Length;
            int k = SampleAxis(rank);
            for (int i = 1; i < shapes.Count; i++)
            {
                var s = shapes[i];
                if (s.Length != rank || Enumerable.Range(0, rank).Any(d => d != k && s[d] != shapes[0][d]))
                    throw new ArgumentException($"Layer {Label} joins along axis {Axis}, so its inputs must agree on every other axis, but {origins[0]} outputs {ShapeText(shapes[0])} "
                        + $"and {origins[i]} outputs {ShapeText(s)}.");
            }
            var output = shapes[0].ToArray();
            output[k] = shapes.Sum(s => s[k]);
            return output;
        }

        /// <summary>The dimension of the internal tensor for <see cref="Axis"/>: images ([N, C, H, W] inside models) map Keras's H, W, C to 2, 3, 1.</summary>
        internal long TensorDim(int sampleRank)
        {
            int k = SampleAxis(sampleRank);
            return sampleRank == 3 ? k switch { 0 => 2, 1 => 3, _ => 1 } : k + 1;
        }

        /// <inheritdoc />
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public override Tensor Call(IReadOnlyList<Tensor> inputs, bool training)
        {
            CheckCount(inputs);
            return cat(inputs.ToArray(), TensorDim((int)inputs[0].dim() - 1));
        }

        /// <inheritdoc />
        public override string[] ToOnnx(Interop.Onnx.OnnxGraph graph, string[] inputs) =>
            [graph.Node("Concat", inputs, new Interop.Onnx.OnnxAttribute("axis", TensorDim(InputShapes![0].Length)))];
    }
}

namespace TransferNotebooks
{
    public static partial class Keras
    {
        /// <summary>Joins its inputs along <paramref name="axis"/> (Keras <c>Concatenate</c>): <c>Concatenate().Call(a, b)</c>.</summary>
        /// <param name="axis">Keras's axis: -1 (default) is the last, the channels of images.</param>
        /// <param name="name">Layer name; auto-assigned when null.</param>
        public static Layers.MergeLayer Concatenate(int axis = -1, string? name = null) => new Layers.Concatenate(axis, name);
    }
}

namespace TransferNotebooks.Layers
{
    /// <summary>Queues <see cref="Concatenate"/>'s registration for the first registry lookup (see <see cref="PendingRegistrations"/>).</summary>
    internal static class ConcatenateRegisterQueue
    {
        [ModuleInitializer] internal static void Queue() => PendingRegistrations.Defer(static () => Concatenate.Register());
    }
}
