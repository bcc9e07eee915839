using System.Text.Json.Serialization;
using System.Runtime.CompilerServices;
using TorchSharp;
using Parameter = TorchSharp.Modules.Parameter;
using static TorchSharp.torch;
using TransferNotebooks.Interop.PyTorch;

namespace TransferNotebooks.Layers
{
    /// <summary>Embedding's saved settings, keyed as Keras names them (<c>input_length</c> comes from Keras 2 files).</summary>
    public sealed record EmbeddingConfig(int InputDim, int OutputDim, bool MaskZero = false, int? InputLength = null);

    [JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, RespectRequiredConstructorParameters = true)]
    [JsonSerializable(typeof(EmbeddingConfig))]
    internal sealed partial class EmbeddingJson : JsonSerializerContext;

    /// <summary>Maps integer token ids to dense vectors (Keras <c>Embedding</c>, uniform(-0.05, 0.05) initialisation).</summary>
    public sealed class Embedding : Layer
    {
        /// <summary>Creates the layer; see <see cref="Keras.Embedding"/>.</summary>
        public Embedding(int inputDim, int outputDim, int? inputLength = null, string? name = null, bool maskZero = false)
            : base(name, inputLength is int n ? [n] : null)
        {
            MaskZero = maskZero;
            if (inputDim <= 0 || outputDim <= 0) throw new ArgumentException("Embedding needs a positive vocabulary size (inputDim) and vector size (outputDim).");
            InputDim = inputDim;
            OutputDim = outputDim;
        }

        /// <summary>Vocabulary size: ids must be in [0, InputDim).</summary>
        public int InputDim { get; }
        /// <summary>Vector size.</summary>
        public int OutputDim { get; }
        /// <summary>
        /// Keras's <c>mask_zero</c>: id 0 is padding. Recurrent layers then skip padded steps (carrying their state) and
        /// GlobalAveragePooling1D averages real tokens only. Id 0 is then not a word: use <c>inputDim</c> = vocabulary + 1.
        /// </summary>
        public bool MaskZero { get; }
        /// <inheritdoc />
        /// <summary>The Embedding layer type: name, Keras aliases, and its config record <see cref="EmbeddingConfig"/>.</summary>
        public static LayerType Type { get; } = LayerType.Of<Embedding, EmbeddingConfig>("Embedding", EmbeddingJson.Default.EmbeddingConfig,
            l => new(l.InputDim, l.OutputDim, l.MaskZero),
            (c, name, shape) => new Embedding(c.InputDim, c.OutputDim, shape is { Length: 1 } s ? s[0] : c.InputLength, name, c.MaskZero));

        internal static void Register() => LayerRegistry.Register(Type);

        /// <inheritdoc />
        internal override PyTorchCode ToPyTorch(PyTorchContext context) =>
            new($"Embedding({InputDim}, {OutputDim})", $"{context.Self}({context.X})", [PyTorchClass], OutputMask: MaskZero ? $"({context.X} != 0)" : null);

        static readonly PyTorchClass PyTorchClass = new("Embedding", """
            class Embedding(nn.Module):
                # Keras Embedding: token ids to rows of embeddings (input_dim, output_dim).
                def __init__(self, input_dim, output_dim):
                    super().__init__()
                    self.embeddings = nn.Parameter(torch.zeros(input_dim, output_dim))

                def forward(self, ids):
                    return F.embedding(ids.long(), self.embeddings)
            """);

        /// <inheritdoc />
        public override LayerType LayerType => Type;
        /// <summary>The table [InputDim, OutputDim].</summary>
        public Parameter Embeddings { get; private set; } = null!;

        /// <inheritdoc />
        protected override int[] BuildCore(int[] inputShape)
        {
            using var u = rand(InputDim, OutputDim);
            Embeddings = new Parameter((u * 0.1 - 0.05).detach());
            register_parameter("embeddings", Embeddings);
            return [.. inputShape, OutputDim];
        }

        /// <inheritdoc />
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public override Tensor Call(Tensor input, bool training)
        {
            using var ids = input.dtype == ScalarType.Int64 ? input.alias() : input.to_type(ScalarType.Int64);
            using var flat = ids.reshape(-1);
            using var rows = Embeddings.index_select(0, flat);
            return rows.reshape([.. ids.shape, OutputDim]);
        }

        /// <inheritdoc />
        public override ScalarType? InputDType => ScalarType.Int64;

        /// <inheritdoc />
        public override void CheckInput(Tensor input) => CheckIds(input);

        /// <summary>Keras's padding mask: token id 0 is padding when <see cref="MaskZero"/> is set.</summary>
        public override Tensor? ComputeMask(Tensor input, Tensor? mask) => MaskZero ? input.ne(0) : null;

        /// <summary>
        /// Checks that every token id is in [0, InputDim), with an error that says what to change. The model calls it once per
        /// Fit/Evaluate/Predict on the whole input (not per batch: that would add two device reads to every training step).
        /// </summary>
        public void CheckIds(Tensor ids)
        {
            if (ids.numel() == 0) return;
            using var maxT = ids.max();
            using var minT = ids.min();
            long max = maxT.to_type(ScalarType.Int64).item<long>(), min = minT.to_type(ScalarType.Int64).item<long>();
            if (min < 0 || max >= InputDim)
                throw new ArgumentException($"Embedding layer '{Name}' got token id {(min < 0 ? min : max)} outside [0, {InputDim}). Raise inputDim or cap the vocabulary (for IMDB: Imdb.Load(numWords: {InputDim})).");
        }

        /// <inheritdoc />
        public override string[] ToOnnx(Interop.Onnx.OnnxGraph graph, string[] inputs)
        {
            var ids = graph.Node("Cast", [inputs[0]], new Interop.Onnx.OnnxAttribute("to", 7L)); // int64, as Call converts
            var rows = graph.Node("Gather", [graph.Initializer(Embeddings, "embeddings"), ids], new Interop.Onnx.OnnxAttribute("axis", 0L));
            if (MaskZero) graph.SetMask(rows, graph.Node("Not", [graph.Node("Equal", [ids, graph.Int64s([0], "zero")])]));
            return [rows];
        }
    }
}

namespace TransferNotebooks
{
    public static partial class Keras
    {
        /// <summary>
        /// A token embedding (Keras <c>Embedding</c>); <paramref name="inputLength"/> fixes the sequence length so the model can
        /// build at once; <paramref name="maskZero"/> makes id 0 padding that recurrent layers and average pooling skip.
        /// </summary>
        public static Layers.Layer Embedding(int inputDim, int outputDim, int? inputLength = null, string? name = null, bool maskZero = false) =>
            new Layers.Embedding(inputDim, outputDim, inputLength, name, maskZero);
    }
}

namespace TransferNotebooks.Layers
{
    /// <summary>Queues <see cref="Embedding"/>'s registration for the first registry lookup (see <see cref="PendingRegistrations"/>).</summary>
    internal static class EmbeddingRegisterQueue
    {
        [ModuleInitializer] internal static void Queue() => PendingRegistrations.Defer(static () => Embedding.Register());
    }
}
