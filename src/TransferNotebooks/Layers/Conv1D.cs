using System.Runtime.CompilerServices;
using TorchSharp;
using Parameter = TorchSharp.Modules.Parameter;
using static TorchSharp.torch;
using TransferNotebooks.Interop.PyTorch;

namespace TransferNotebooks.Layers
{
    /// <summary>
    /// 1-D convolution over a sequence (Keras <c>Conv1D</c>): input <c>(steps, channels)</c>, for example an Embedding's output;
    /// output <c>(steps', filters)</c>. The kernel is stored as torch wants it, [filters, in, width] (Keras's (width, in, filters)
    /// is transposed on import and export).
    /// </summary>
    public sealed class Conv1D : Layer
    {
        /// <summary>Creates the layer; see <see cref="Keras.Conv1D"/>.</summary>
        public Conv1D(int filters, int kernelSize, int strides, string padding, ActivationFunction activation, bool useBias,
            string? name = null, IEnumerable<int>? inputShape = null) : base(name, inputShape)
        {
            if (filters <= 0 || kernelSize <= 0 || strides <= 0)
                throw new ArgumentOutOfRangeException(nameof(filters), "Conv1D needs positive filters, kernelSize and strides, for example Conv1D(32, 7).");
            Filters = filters;
            KernelSize = kernelSize;
            Strides = strides;
            PaddingMode = Padding.Validate(padding, name ?? "conv1d");
            Activation = activation;
            UseBias = useBias;
        }

        /// <summary>Number of output channels.</summary>
        public int Filters { get; }
        /// <summary>Window length in steps.</summary>
        public int KernelSize { get; }
        /// <summary>Step between windows.</summary>
        public int Strides { get; }
        /// <summary><c>valid</c> or <c>same</c>.</summary>
        public string PaddingMode { get; }
        /// <summary>The activation applied to the output.</summary>
        public ActivationFunction Activation { get; }
        /// <inheritdoc />
        public override ActivationFunction? OutputActivation => Activation;
        /// <summary>Whether a bias is added.</summary>
        public bool UseBias { get; }
        /// <inheritdoc />
        /// <summary>The Conv1D layer type: name, Keras aliases, and its config record <see cref="ConvolutionConfig"/>.</summary>
        public static LayerType Type { get; } = LayerType.Of<Conv1D, ConvolutionConfig>("Conv1D", ConvolutionJson.Default.ConvolutionConfig,
            l => new(l.Filters, [l.KernelSize], [l.Strides], l.PaddingMode, l.Activation.Name, l.UseBias),
            FromConfig, "Convolution1D");

        internal static void Register() => LayerRegistry.Register(Type);

        /// <inheritdoc />
        internal override PyTorchCode ToPyTorch(PyTorchContext context)
        {
            var (before, after) = PaddingMode == "same" ? Padding.SamePads(InputShape![0], KernelSize, Strides) : (0, 0);
            var linear = $"{context.Self}({context.X})";
            return new($"Conv1D({InputShape![1]}, {Filters}, {KernelSize}, {Strides}, {PythonSyntax.List([before, after])}, use_bias={PythonSyntax.Bool(UseBias)})",
                PyTorchActivations.Apply(Activation, linear, Label), [PyTorchClass], linear);
        }

        static readonly PyTorchClass PyTorchClass = new("Conv1D", """
            class Conv1D(nn.Module):
                # Keras Conv1D without its activation, on sequences [N, steps, channels]: kernel (filters, in, width) as torch's;
                # Keras's "same" padding as explicit (before, after) pads.
                def __init__(self, in_channels, filters, kernel_size, strides, pads, use_bias=True):
                    super().__init__()
                    self.strides = strides
                    self.pads = pads
                    self.kernel = nn.Parameter(torch.zeros(filters, in_channels, kernel_size))
                    self.register_parameter("bias", nn.Parameter(torch.zeros(filters)) if use_bias else None)

                def forward(self, x):
                    x = x.transpose(1, 2)
                    if any(self.pads):
                        x = F.pad(x, self.pads)
                    # As the .NET layer: conv2d on a height-1 image (conv1d returned NaN filters intermittently on AVX-512 CPUs).
                    y = F.conv2d(x.unsqueeze(2), self.kernel.unsqueeze(2), self.bias, (1, self.strides))
                    return y.squeeze(2).transpose(1, 2)
            """);

        /// <inheritdoc />
        public override LayerType LayerType => Type;
        /// <summary>The kernel [filters, in_channels, width].</summary>
        public Parameter Kernel { get; private set; } = null!;
        /// <summary>The bias [filters].</summary>
        public Parameter? Bias { get; private set; }

        /// <inheritdoc />
        protected override int[] BuildCore(int[] inputShape)
        {
            if (inputShape.Length != 2)
                throw new ArgumentException($"Conv1D layer '{Name}' needs sequences of shape (steps, channels) but got {ShapeText(inputShape)}. "
                    + "Token ids go through an Embedding first; images use Conv2D.");
            int inC = inputShape[1];
            Kernel = new Parameter(GlorotUniform([Filters, inC, KernelSize], (long)inC * KernelSize, (long)Filters * KernelSize));
            register_parameter("kernel", Kernel);
            if (UseBias)
            {
                Bias = new Parameter(zeros(Filters));
                register_parameter("bias", Bias);
            }
            int steps = Padding.OutputLength(inputShape[0], KernelSize, Strides, PaddingMode);
            if (steps <= 0)
                throw new ArgumentException($"Conv1D layer '{Name}': {inputShape[0]} steps are fewer than the kernel's {KernelSize}. Use padding: \"same\" or a smaller kernel.");
            return [steps, Filters];
        }

        static Conv1D FromConfig(ConvolutionConfig c, string? name, int[]? inputShape)
        {
            c.CheckSupported(name, "Conv1D");
            return new Conv1D(c.Filters, KerasSettings.Tuple(c.KernelSize, 1, [], name, "Conv1D", "kernel_size")[0],
                KerasSettings.Tuple(c.Strides, 1, [1], name, "Conv1D", "strides")[0], c.Padding, Activations.Get(c.Activation), c.UseBias, name, inputShape);
        }

        /// <inheritdoc />
        public override int[]? KerasAxisOrder(string weightName) => weightName == "kernel" ? [2, 1, 0] : null; // (filters, in, width) -> (width, in, filters)

        /// <inheritdoc />
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public override Tensor CallWithoutActivation(Tensor input, bool training)
        {
            using var channelsFirst = input.transpose(1, 2);
            using var padded = Padding.Apply1D(channelsFirst, KernelSize, Strides, PaddingMode);
            // Through conv2d on a height-1 image: libtorch 2.10's conv1d kernel intermittently returned NaN for whole filters
            // from finite inputs and weights on an AVX-512 CPU (the MNIST Conv1D test collapsed in about one run of three).
            using var image = padded.unsqueeze(2);
            using var kernel = Kernel.unsqueeze(2);
            using var y = nn.functional.conv2d(image, kernel, Bias, strides: [1, Strides]);
            return y.squeeze(2).transpose(1, 2);
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
            var (before, after) = PaddingMode == "same" ? Padding.SamePads(InputShape![0], KernelSize, Strides) : (0, 0);
            var x = graph.Transpose(inputs[0], 0, 2, 1); // [N, steps, channels] -> [N, channels, steps]
            string[] args = Bias is null ? [x, graph.Initializer(Kernel, "kernel")] : [x, graph.Initializer(Kernel, "kernel"), graph.Initializer(Bias, "bias")];
            var z = graph.Node("Conv", args, new Interop.Onnx.OnnxAttribute("kernel_shape", new long[] { KernelSize }),
                new Interop.Onnx.OnnxAttribute("strides", new long[] { Strides }), new Interop.Onnx.OnnxAttribute("pads", new long[] { before, after }));
            return [Activation.ToOnnx(graph, graph.Transpose(z, 0, 2, 1), this)];
        }
    }
}

namespace TransferNotebooks
{
    public static partial class Keras
    {
        /// <summary>1-D convolution over a sequence (Keras <c>Conv1D</c>), for example <c>Conv1D(32, 7, activation: "relu")</c> after an Embedding.</summary>
        /// <param name="filters">Output channels.</param>
        /// <param name="kernelSize">Window length in steps.</param>
        /// <param name="strides">Step, 1 by default.</param>
        /// <param name="padding"><c>valid</c> (default) or <c>same</c>.</param>
        /// <param name="activation">Activation by name.</param>
        /// <param name="useBias">Whether to add a bias.</param>
        /// <param name="name">Layer name.</param>
        /// <param name="inputShape">(steps, channels) for the first layer.</param>
        public static Layers.Layer Conv1D(int filters, int kernelSize, int strides = 1, string padding = "valid", string? activation = null,
            bool useBias = true, string? name = null, IEnumerable<int>? inputShape = null) =>
            new Layers.Conv1D(filters, kernelSize, strides, padding, Layers.Activations.Get(activation), useBias, name, inputShape);
    }
}

namespace TransferNotebooks.Layers
{
    /// <summary>Queues <see cref="Conv1D"/>'s registration for the first registry lookup (see <see cref="PendingRegistrations"/>).</summary>
    internal static class Conv1DRegisterQueue
    {
        [ModuleInitializer] internal static void Queue() => PendingRegistrations.Defer(static () => Conv1D.Register());
    }
}
