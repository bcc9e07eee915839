using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using TorchSharp;
using static TorchSharp.torch;

namespace TransferNotebooks.Layers
{
    /// <summary>ZeroPadding2D's saved settings, keyed as Keras names them.</summary>
    /// <param name="Padding">((top, bottom), (left, right)) rows and columns of zeros; Keras also writes one number or (rows, columns).</param>
    /// <param name="DataFormat">Only <c>channels_last</c> is supported.</param>
    public sealed record ZeroPadding2DConfig([property: JsonConverter(typeof(PaddingPairsConverter))] int[][] Padding, string DataFormat = "channels_last");

    [JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, RespectRequiredConstructorParameters = true)]
    [JsonSerializable(typeof(ZeroPadding2DConfig))]
    internal sealed partial class ZeroPadding2DJson : JsonSerializerContext;

    /// <summary>
    /// Reads Keras's 2-D padding setting in its three spellings (<c>1</c>, <c>[1, 2]</c> = symmetric rows and columns,
    /// <c>[[1, 0], [2, 0]]</c> = (top, bottom), (left, right)) as ((top, bottom), (left, right)); writes the last form.
    /// </summary>
    public sealed class PaddingPairsConverter : JsonConverter<int[][]>
    {
        /// <inheritdoc />
        public override int[][]? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType == JsonTokenType.Number) { int p = reader.GetInt32(); return [[p, p], [p, p]]; }
            if (reader.TokenType != JsonTokenType.StartArray) throw new JsonException("Expected padding as a number, [rows, columns] or [[top, bottom], [left, right]].");
            var items = new List<int[]>();
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                if (reader.TokenType == JsonTokenType.Number) { int p = reader.GetInt32(); items.Add([p, p]); continue; }
                if (reader.TokenType != JsonTokenType.StartArray) throw new JsonException("Expected padding pairs of whole numbers.");
                var pair = new List<int>();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    if (reader.TokenType != JsonTokenType.Number) throw new JsonException("Expected padding pairs of whole numbers.");
                    pair.Add(reader.GetInt32());
                }
                if (pair.Count != 2) throw new JsonException($"A padding pair needs 2 numbers (before, after) but has {pair.Count}.");
                items.Add([.. pair]);
            }
            if (items.Count != 2) throw new JsonException($"2-D padding needs 2 entries (rows, columns) but has {items.Count}.");
            return [.. items];
        }

        /// <inheritdoc />
        public override void Write(Utf8JsonWriter writer, int[][] value, JsonSerializerOptions options)
        {
            writer.WriteStartArray();
            foreach (var pair in value)
            {
                writer.WriteStartArray();
                foreach (var v in pair) writer.WriteNumberValue(v);
                writer.WriteEndArray();
            }
            writer.WriteEndArray();
        }
    }

    /// <summary>
    /// Adds rows and columns of zeros around images (Keras <c>ZeroPadding2D</c>), possibly different on each side: the way to
    /// reproduce asymmetric padding before a <c>valid</c> convolution or pooling (ONNX <c>pads [3, 3, 2, 2]</c> is
    /// <c>((3, 2), (3, 2))</c>), which "same" padding cannot express. No weights.
    /// </summary>
    public sealed class ZeroPadding2D : Layer
    {
        /// <summary>Creates the layer; see <see cref="Keras.ZeroPadding2D(int, string?)"/>.</summary>
        public ZeroPadding2D((int Top, int Bottom) rows, (int Left, int Right) columns, string? name = null, IEnumerable<int>? inputShape = null) : base(name, inputShape)
        {
            if (rows.Top < 0 || rows.Bottom < 0 || columns.Left < 0 || columns.Right < 0)
                throw new ArgumentOutOfRangeException(nameof(rows), $"ZeroPadding2D needs non-negative padding; got rows {rows}, columns {columns}. To crop, use a smaller input instead.");
            Rows = rows;
            Columns = columns;
        }

        /// <summary>Rows of zeros added above and below.</summary>
        public (int Top, int Bottom) Rows { get; }
        /// <summary>Columns of zeros added left and right.</summary>
        public (int Left, int Right) Columns { get; }

        /// <summary>The ZeroPadding2D layer type: name and its config record <see cref="ZeroPadding2DConfig"/>.</summary>
        public static LayerType Type { get; } = LayerType.Of<ZeroPadding2D, ZeroPadding2DConfig>("ZeroPadding2D", ZeroPadding2DJson.Default.ZeroPadding2DConfig,
            l => new([[l.Rows.Top, l.Rows.Bottom], [l.Columns.Left, l.Columns.Right]]),
            (c, name, shape) =>
            {
                KerasSettings.RequireChannelsLast(c.DataFormat, name, "ZeroPadding2D");
                return new ZeroPadding2D((c.Padding[0][0], c.Padding[0][1]), (c.Padding[1][0], c.Padding[1][1]), name, shape);
            });

        internal static void Register() => LayerRegistry.Register(Type);

        /// <inheritdoc />
        public override LayerType LayerType => Type;

        /// <inheritdoc />
        protected override int[] BuildCore(int[] inputShape)
        {
            if (inputShape.Length != 3)
                throw new ArgumentException($"ZeroPadding2D layer '{Name}' needs images of shape (height, width, channels) but got {ShapeText(inputShape)}.");
            return [inputShape[0] + Rows.Top + Rows.Bottom, inputShape[1] + Columns.Left + Columns.Right, inputShape[2]];
        }

        /// <inheritdoc />
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public override Tensor Call(Tensor input, bool training) =>
            nn.functional.pad(input, [Columns.Left, Columns.Right, Rows.Top, Rows.Bottom], PaddingModes.Constant, 0); // images are [N, C, H, W] inside

        /// <inheritdoc />
        public override string[] ToOnnx(Interop.Onnx.OnnxGraph graph, string[] inputs) =>
            [graph.Node("Pad", [inputs[0], graph.Int64s([0, 0, Rows.Top, Columns.Left, 0, 0, Rows.Bottom, Columns.Right], "pads")])];

        /// <inheritdoc />
        internal override Interop.PyTorch.PyTorchCode ToPyTorch(Interop.PyTorch.PyTorchContext context) =>
            new(null, $"F.pad({context.X}, ({Columns.Left}, {Columns.Right}, {Rows.Top}, {Rows.Bottom}))");
    }
}

namespace TransferNotebooks
{
    public static partial class Keras
    {
        /// <summary>Zero padding (Keras <c>ZeroPadding2D</c>): <paramref name="padding"/> rows and columns of zeros on every side, 1 by default.</summary>
        public static Layers.Layer ZeroPadding2D(int padding = 1, string? name = null) =>
            new Layers.ZeroPadding2D((padding, padding), (padding, padding), name);

        /// <summary>Zero padding (Keras <c>ZeroPadding2D((rows, columns))</c>): <paramref name="rows"/> above and below, <paramref name="columns"/> left and right.</summary>
        public static Layers.Layer ZeroPadding2D(int rows, int columns, string? name = null) =>
            new Layers.ZeroPadding2D((rows, rows), (columns, columns), name);

        /// <summary>
        /// Asymmetric zero padding (Keras <c>ZeroPadding2D(((top, bottom), (left, right)))</c>), for example
        /// <c>ZeroPadding2D((3, 2), (3, 2))</c> before a 7x7 stride-2 convolution that an ONNX file pads with <c>pads [3, 3, 2, 2]</c>.
        /// </summary>
        public static Layers.Layer ZeroPadding2D((int Top, int Bottom) rows, (int Left, int Right) columns, string? name = null) =>
            new Layers.ZeroPadding2D(rows, columns, name);
    }
}

namespace TransferNotebooks.Layers
{
    /// <summary>Queues <see cref="ZeroPadding2D"/>'s registration for the first registry lookup (see <see cref="PendingRegistrations"/>).</summary>
    internal static class ZeroPadding2DRegisterQueue
    {
        [ModuleInitializer] internal static void Queue() => PendingRegistrations.Defer(static () => ZeroPadding2D.Register());
    }
}
