using TorchSharp;
using Parameter = TorchSharp.Modules.Parameter;
using static TorchSharp.torch;

namespace TransferNotebooks.Layers
{
    /// <summary>
    /// Long short-term memory over a sequence (Keras <c>LSTM</c>): input <c>(steps, features)</c>, output the last state
    /// <c>(units)</c> or, with <see cref="ReturnSequences"/>, every state <c>(steps, units)</c>. Weights are Keras's, in Keras's
    /// layout and gate order (input, forget, cell, output): <c>kernel (features, 4·units)</c>, <c>recurrent_kernel (units, 4·units)</c>,
    /// <c>bias (4·units)</c>, so .h5/.keras LSTM weights load as they are. Initialisation as Keras: Glorot-uniform kernel,
    /// orthogonal recurrent kernel, zero bias with the forget gate's part set to 1.
    /// </summary>
    public sealed class LSTM : Layer
    {
        /// <summary>Creates the layer; see <see cref="Keras.LSTM"/>.</summary>
        public LSTM(int units, ActivationFunction? activation = null, ActivationFunction? recurrentActivation = null, bool useBias = true,
            bool returnSequences = false, double dropout = 0, double recurrentDropout = 0, string? name = null, IEnumerable<int>? inputShape = null)
            : base(name, inputShape)
        {
            if (units <= 0) throw new ArgumentOutOfRangeException(nameof(units), units, "LSTM needs a positive number of units, for example LSTM(32).");
            if (dropout is < 0 or >= 1 || recurrentDropout is < 0 or >= 1)
                throw new ArgumentOutOfRangeException(nameof(dropout), "LSTM dropout and recurrentDropout must be in [0, 1), for example 0.2.");
            Units = units;
            Activation = activation ?? Activations.Get("tanh");
            RecurrentActivation = recurrentActivation ?? Activations.Get("sigmoid");
            UseBias = useBias;
            ReturnSequences = returnSequences;
            Dropout = dropout;
            RecurrentDropout = recurrentDropout;
        }

        /// <summary>Size of the state.</summary>
        public int Units { get; }
        /// <summary>Applied to the cell candidate and to the cell state on output (tanh by default).</summary>
        public ActivationFunction Activation { get; }
        /// <summary>Applied to the input, forget and output gates (sigmoid by default).</summary>
        public ActivationFunction RecurrentActivation { get; }
        /// <summary>Whether the gates have a bias.</summary>
        public bool UseBias { get; }
        /// <summary>True: output every step's state <c>(steps, units)</c>, to stack another LSTM; false: only the last <c>(units)</c>.</summary>
        public bool ReturnSequences { get; }
        /// <summary>Fraction of input features dropped during training (one mask per sequence, as Keras).</summary>
        public double Dropout { get; }
        /// <summary>Fraction of the recurrent state dropped during training (one mask per sequence).</summary>
        public double RecurrentDropout { get; }
        /// <inheritdoc />
        public override string TypeName => "LSTM";

        /// <summary>Input weights [features, 4·units], gates in the order input, forget, cell, output.</summary>
        public Parameter Kernel { get; private set; } = null!;
        /// <summary>Recurrent weights [units, 4·units].</summary>
        public Parameter RecurrentKernel { get; private set; } = null!;
        /// <summary>Gate biases [4·units], or null without bias.</summary>
        public Parameter? Bias { get; private set; }

        /// <inheritdoc />
        protected override int[] BuildCore(int[] inputShape)
        {
            if (inputShape.Length != 2)
                throw new ArgumentException($"LSTM layer '{Name}' needs (steps, features) per sample but got {ShapeText(inputShape)}. "
                    + "Token ids go through an Embedding first; images as rows: LSTM(units, inputShape: [28, 28]).");
            int features = inputShape[1], gates = 4 * Units;
            Kernel = new Parameter(GlorotUniform([features, gates], features, gates));
            register_parameter("kernel", Kernel);
            using (var q = empty(Units, gates))
            {
                nn.init.orthogonal_(q);
                RecurrentKernel = new Parameter(q.detach().clone());
            }
            register_parameter("recurrent_kernel", RecurrentKernel);
            if (UseBias)
            {
                using var b = zeros(gates);
                b.narrow(0, Units, Units).fill_(1); // Keras's unit_forget_bias
                Bias = new Parameter(b.detach().clone());
                register_parameter("bias", Bias);
            }
            return ReturnSequences ? [inputShape[0], Units] : [Units];
        }

        /// <inheritdoc />
        public override Tensor Call(Tensor input, bool training)
        {
            if (input.dim() != 3 || input.shape[2] != Kernel.shape[0])
                throw new ArgumentException($"LSTM layer '{Name}' expects input [batch, steps, {Kernel.shape[0]}] but got [{string.Join(", ", input.shape)}].");
            long n = input.shape[0], steps = input.shape[1];
            var x = input;
            if (training && Dropout > 0)
            {
                using var keep = empty(n, 1, input.shape[2], dtype: input.dtype).bernoulli_(1 - Dropout);
                x = input.mul(keep).div_(1 - Dropout);
            }
            // The input part of every gate for every step in one matrix product: [N, T, 4·units].
            var projected = Bias is null ? x.matmul(Kernel) : x.matmul(Kernel).add_(Bias);
            Tensor? recurrentKeep = training && RecurrentDropout > 0
                ? empty(n, Units, dtype: input.dtype).bernoulli_(1 - RecurrentDropout).div_(1 - RecurrentDropout) : null;
            // One view per step from unbind: its backward stacks the step gradients once, where select(1, t) would
            // allocate and add a gradient the size of the whole sequence at every step (measured: 10x slower backward).
            var perStep = projected.unbind(1);
            var h = zeros(n, Units, dtype: input.dtype);
            var c = zeros(n, Units, dtype: input.dtype);
            var states = ReturnSequences ? new List<Tensor>((int)steps) : null;
            for (long t = 0; t < steps; t++)
            {
                var recurrentInput = recurrentKeep is null ? h : h.mul(recurrentKeep);
                var z = addmm(perStep[t], recurrentInput, RecurrentKernel, 1, 1);
                var gate = z.chunk(4, 1);
                var i = RecurrentActivation.Apply(gate[0]);
                var f = RecurrentActivation.Apply(gate[1]);
                var g = Activation.Apply(gate[2]);
                var o = RecurrentActivation.Apply(gate[3]);
                c = f.mul(c).add_(i.mul(g));
                h = o.mul(Activation.Apply(c));
                states?.Add(h);
            }
            return states is null ? h : stack(states, 1);
        }

        /// <inheritdoc />
        public override IReadOnlyDictionary<string, object?> GetConfig() => new Dictionary<string, object?>
        {
            ["units"] = Units, ["activation"] = Activation.Name, ["recurrent_activation"] = RecurrentActivation.Name, ["use_bias"] = UseBias,
            ["return_sequences"] = ReturnSequences, ["dropout"] = Dropout, ["recurrent_dropout"] = RecurrentDropout,
        };
    }
}

namespace TransferNotebooks
{
    public static partial class Keras
    {
        /// <summary>
        /// An LSTM layer (Keras <c>LSTM</c>): <c>LSTM(32)</c> after an Embedding for text, <c>LSTM(64, inputShape: [28, 28])</c> to
        /// read images row by row; <paramref name="returnSequences"/> to stack LSTMs.
        /// </summary>
        public static Layers.Layer LSTM(int units, string activation = "tanh", string recurrentActivation = "sigmoid", bool useBias = true,
            bool returnSequences = false, double dropout = 0, double recurrentDropout = 0, string? name = null, IEnumerable<int>? inputShape = null) =>
            new Layers.LSTM(units, Layers.Activations.Get(activation), Layers.Activations.Get(recurrentActivation), useBias, returnSequences,
                dropout, recurrentDropout, name, inputShape);
    }
}
