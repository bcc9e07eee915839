using System.Runtime.CompilerServices;
using System.Text.Json.Serialization;
using TorchSharp;
using Parameter = TorchSharp.Modules.Parameter;
using static TorchSharp.torch;
using TransferNotebooks.Interop.PyTorch;

namespace TransferNotebooks.Layers
{
    /// <summary>Dense's saved settings, keyed as Keras names them.</summary>
    public sealed record DenseConfig(int Units, string Activation = "linear", bool UseBias = true);

    [JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, RespectRequiredConstructorParameters = true)]
    [JsonSerializable(typeof(DenseConfig))]
    internal sealed partial class DenseJson : JsonSerializerContext;

    /// <summary>A fully connected layer: <c>activation(x · kernel + bias)</c>, kernel shaped [inputs, units] as in Keras.</summary>
    public sealed class Dense : Layer
    {
        /// <summary>Creates the layer; see <see cref="Keras"/>.Dense.</summary>
        public Dense(int units, ActivationFunction activation, bool useBias = true, string? name = null, IEnumerable<int>? inputShape = null)
            : base(name, inputShape)
        {
            if (units <= 0) throw new ArgumentOutOfRangeException(nameof(units), units, "Dense needs a positive number of units, for example Dense(64).");
            Units = units;
            Activation = activation;
            UseBias = useBias;
        }

        /// <summary>Number of outputs.</summary>
        public int Units { get; }
        /// <summary>The activation applied to the output.</summary>
        public ActivationFunction Activation { get; }
        /// <inheritdoc />
        public override ActivationFunction? OutputActivation => Activation;
        /// <summary>Whether a bias is added.</summary>
        public bool UseBias { get; }
        /// <summary>The Dense layer type: name, Keras aliases, and its config record <see cref="DenseConfig"/>.</summary>
        public static LayerType Type { get; } = LayerType.Of<Dense, DenseConfig>("Dense", DenseJson.Default.DenseConfig, l => new(l.Units, l.Activation.Name, l.UseBias), (c, name, shape) => new Dense(c.Units, Activations.Get(c.Activation), c.UseBias, name, shape));

        internal static void Register() => LayerRegistry.Register(Type);

        /// <inheritdoc />
        internal override PyTorchCode ToPyTorch(PyTorchContext context)
        {
            var linear = $"{context.Self}({context.X})";
            return new($"Dense({Kernel.shape[0]}, {Units}, use_bias={PythonSyntax.Bool(UseBias)})", PyTorchActivations.Apply(Activation, linear, Label),
                [PyTorchClass], linear);
        }

        static readonly PyTorchClass PyTorchClass = new("Dense", """
            class Dense(nn.Module):
                # Keras Dense without its activation: x @ kernel + bias, kernel shaped (inputs, units) as in Keras.
                def __init__(self, inputs, units, use_bias=True):
                    super().__init__()
                    self.kernel = nn.Parameter(torch.zeros(inputs, units))
                    self.register_parameter("bias", nn.Parameter(torch.zeros(units)) if use_bias else None)

                def forward(self, x):
                    if self.bias is not None and x.dim() == 2:
                        return torch.addmm(self.bias, x, self.kernel)
                    y = x.matmul(self.kernel)
                    return y if self.bias is None else y + self.bias
            """);

        /// <inheritdoc />
        public override LayerType LayerType => Type;
        /// <inheritdoc />
        public override bool PassesMask => true;

        /// <summary>The weight matrix [inputs, units].</summary>
        public Parameter Kernel { get; private set; } = null!;
        /// <summary>The bias [units], or null without bias.</summary>
        public Parameter? Bias { get; private set; }

        /// <inheritdoc />
        protected override int[] BuildCore(int[] inputShape)
        {
            if (inputShape.Length > 2)
                throw new ArgumentException($"Dense layer '{Name}' received input of shape {ShapeText(inputShape)}, which has {inputShape.Length} dimensions per sample; "
                    + $"Dense expects flat vectors. Add Flatten() before it (for images: Flatten(inputShape: [{string.Join(", ", inputShape)}])).");
            int fanIn = inputShape[^1];
            Kernel = new Parameter(ColumnMajor(GlorotUniform([fanIn, Units], fanIn, Units)));
            register_parameter("kernel", Kernel);
            if (UseBias)
            {
                Bias = new Parameter(zeros(Units));
                register_parameter("bias", Bias);
            }
            return [.. inputShape[..^1], Units];
        }

        /// <summary>
        /// The same [inputs, units] values in column-major memory (strides [1, inputs]: the [units, inputs] layout of torch's
        /// <c>nn.Linear</c>, seen transposed). libtorch's <c>addmm</c> backward then computes the kernel's gradient as
        /// <c>(g.t() @ x).t()</c>, the faster product: IMDB's Dense(16) on 10,000 inputs, batch 512, forward + backward 1.6-1.9 ms
        /// row-major vs 1.3-1.4 ms, and the library's training floor went from 0.86x to 1.0x of torch.nn's (bench
        /// <c>speed imdb --variants floor,floor_keras</c>); with MKL and oneDNN capped to AVX2 (<c>bench/isa-compare</c>, the
        /// kernels of CPUs without AVX-512) 2.89 -> 2.65 ms in every process. Shape, values, names and every export stay Keras's; readers copy
        /// with <c>contiguous()</c>, loaders write with <c>copy_</c>, which keeps the strides.
        /// </summary>
        static Tensor ColumnMajor(Tensor kernel)
        {
            using var k = kernel;
            return k.t().contiguous().t();
        }

        /// <inheritdoc />
        public override string? InputHint(int[] perSampleShape) => perSampleShape.Length > 1
            ? $"Layer '{Name}' (Dense) received samples of shape {ShapeText(perSampleShape)}, but Dense expects flat vectors. "
                + $"Images need Flatten first: start the model with Flatten(inputShape: [{string.Join(", ", perSampleShape)}])."
            : null;

        /// <inheritdoc />
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public override Tensor CallWithoutActivation(Tensor input, bool training)
        {
            if (input.size(-1) != Kernel.size(0))
                throw new ArgumentException($"Dense layer '{Name}' expects {Kernel.shape[0]} features per sample but got input of shape [{string.Join(", ", input.shape)}]. "
                    + "Check the model's input shape (Flatten before Dense for images).");
            if (Bias is not null && input.dim() == 2) return addmm(Bias, input, Kernel, 1, 1);
            var y = input.matmul(Kernel);
            return Bias is null ? y : y.add_(Bias, Scalars.One);
        }

        /// <inheritdoc />
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public override Tensor Call(Tensor input, bool training)
        {
            var z = CallWithoutActivation(input, training);
            return Activation.IsLinear ? z : Activation.Apply(z);
        }

        /// <inheritdoc />
        public override string[] ToOnnx(Interop.Onnx.OnnxGraph graph, string[] inputs)
        {
            var kernel = graph.Initializer(Kernel, "kernel");
            string z;
            if (InputShape!.Length == 1 && Bias is not null) z = graph.Node("Gemm", [inputs[0], kernel, graph.Initializer(Bias, "bias")]);
            else
            {
                z = graph.Node("MatMul", [inputs[0], kernel]);
                if (Bias is not null) z = graph.Node("Add", [z, graph.Initializer(Bias, "bias")]);
            }
            return [Activation.ToOnnx(graph, z, this)];
        }
    }
}

namespace TransferNotebooks
{
    public static partial class Keras
    {
        /// <summary>A fully connected layer (Keras <c>Dense</c>): glorot-uniform kernel, zero bias.</summary>
        /// <param name="units">Number of outputs.</param>
        /// <param name="activation">Activation by Keras name (<c>relu</c>, <c>softmax</c>, ...); linear when null.</param>
        /// <param name="useBias">Whether to add a bias.</param>
        /// <param name="name">Layer name; auto-assigned when null.</param>
        /// <param name="inputShape">Input shape without the batch dimension, for the first layer of a model.</param>
        public static Layers.Layer Dense(int units, string? activation = null, bool useBias = true, string? name = null, IEnumerable<int>? inputShape = null) =>
            new Layers.Dense(units, Layers.Activations.Get(activation), useBias, name, inputShape);

        /// <summary>A fully connected layer with a custom activation function.</summary>
        public static Layers.Layer Dense(int units, Func<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor> activation, bool useBias = true, string? name = null, IEnumerable<int>? inputShape = null) =>
            new Layers.Dense(units, Layers.Activations.From(activation), useBias, name, inputShape);
    }
}

namespace TransferNotebooks.Layers
{
    /// <summary>Queues <see cref="Dense"/>'s registration for the first registry lookup (see <see cref="PendingRegistrations"/>).</summary>
    internal static class DenseRegisterQueue
    {
        [ModuleInitializer] internal static void Queue() => PendingRegistrations.Defer(static () => Dense.Register());
    }
}
