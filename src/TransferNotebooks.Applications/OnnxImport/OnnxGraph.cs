using System.Runtime.InteropServices;
using Google.Protobuf;
using Onnx;
using static TorchSharp.torch;

namespace TransferNotebooks.OnnxImport;

/// <summary>
/// An ONNX model's graph, read with OnnxSharp (the ONNX protobuf schema), as a converter walks it: the node that produces
/// each value, the nodes that consume it, node attributes and the initializers (weights) as float32 tensors.
/// </summary>
internal sealed class OnnxGraph
{
    readonly Dictionary<string, TensorProto> initializers;
    readonly Dictionary<string, List<NodeProto>> consumers = new(StringComparer.Ordinal);

    OnnxGraph(string path, GraphProto graph)
    {
        Path = path;
        Graph = graph;
        initializers = graph.Initializer.ToDictionary(i => i.Name, StringComparer.Ordinal);
        foreach (var node in graph.Node)
            foreach (var input in node.Input)
            {
                if (!consumers.TryGetValue(input, out var list)) consumers[input] = list = [];
                list.Add(node);
            }
    }

    /// <summary>Reads an ONNX file.</summary>
    /// <exception cref="InvalidDataException">The file is not an ONNX model (the message names it).</exception>
    public static OnnxGraph Load(string path)
    {
        ModelProto model;
        try
        {
            using var stream = File.OpenRead(path);
            model = ModelProto.Parser.ParseFrom(stream);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new InvalidDataException($"'{path}' is not a readable ONNX model (truncated or corrupt): {e.Message} Restore the package that ships it again.", e);
        }
        if (model.Graph is null || model.Graph.Node.Count == 0)
            throw new InvalidDataException($"'{path}' holds no ONNX graph. Restore the package that ships it again.");
        return new OnnxGraph(path, model.Graph);
    }

    /// <summary>The file the graph was read from (for messages).</summary>
    public string Path { get; }

    /// <summary>The graph.</summary>
    public GraphProto Graph { get; }

    /// <summary>The graph's data input: the first input that is not an initializer (opset 8 files also list weights as inputs).</summary>
    public string DataInput => Graph.Input.Select(i => i.Name).FirstOrDefault(n => !initializers.ContainsKey(n))
        ?? throw new InvalidDataException($"'{Path}' has no data input.");

    /// <summary>The one node of type <paramref name="opType"/> that reads <paramref name="value"/>.</summary>
    /// <exception cref="InvalidDataException">None or several; the message names the value and what reads it.</exception>
    public NodeProto Consumer(string value, string opType)
    {
        var found = Consumers(value).Where(n => n.OpType == opType).ToList();
        if (found.Count == 1) return found[0];
        throw Unexpected($"expected one {opType} node reading '{value}' but found {found.Count} (readers: {Describe(Consumers(value))})");
    }

    /// <summary>The nodes that read <paramref name="value"/>, in graph order.</summary>
    public IReadOnlyList<NodeProto> Consumers(string value) => consumers.TryGetValue(value, out var list) ? list : [];

    /// <summary>An integer-list attribute of <paramref name="node"/>, or <paramref name="fallback"/> when absent.</summary>
    public static long[] Ints(NodeProto node, string name, long[] fallback) =>
        node.Attribute.FirstOrDefault(a => a.Name == name) is { } a ? [.. a.Ints] : fallback;

    /// <summary>An integer attribute of <paramref name="node"/>, or <paramref name="fallback"/> when absent.</summary>
    public static long Int(NodeProto node, string name, long fallback) =>
        node.Attribute.FirstOrDefault(a => a.Name == name) is { } a ? a.I : fallback;

    /// <summary>A float attribute of <paramref name="node"/>, or <paramref name="fallback"/> when absent.</summary>
    public static float Float(NodeProto node, string name, float fallback) =>
        node.Attribute.FirstOrDefault(a => a.Name == name) is { } a ? a.F : fallback;

    /// <summary>Whether <paramref name="value"/> is an initializer (a weight stored in the file).</summary>
    public bool IsInitializer(string value) => initializers.ContainsKey(value);

    /// <summary>The initializer <paramref name="name"/> as a float32 tensor of its ONNX shape (from <c>raw_data</c> or <c>float_data</c>).</summary>
    /// <exception cref="InvalidDataException">No such initializer, not float32, or a size that does not match its shape.</exception>
    public Tensor Initializer(string name)
    {
        if (!initializers.TryGetValue(name, out var t)) throw Unexpected($"the weight '{name}' is not among its initializers");
        if (t.DataType != (int)TensorProto.Types.DataType.Float) throw Unexpected($"the weight '{name}' has ONNX data type {t.DataType}, not float32 (1)");
        long[] dims = [.. t.Dims];
        long count = dims.Aggregate(1L, (a, b) => a * b);
        float[] values = t.RawData.Length > 0 ? MemoryMarshal.Cast<byte, float>(t.RawData.Span).ToArray() : [.. t.FloatData];
        if (values.LongLength != count) throw Unexpected($"the weight '{name}' has {values.LongLength} values for shape [{string.Join(", ", dims)}]");
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("Reading ONNX weights needs a little-endian machine.");
        return tensor(values, dims);
    }

    /// <summary>An error saying the graph is not the one expected, naming the file.</summary>
    public InvalidDataException Unexpected(string what) =>
        new($"The ONNX graph in '{Path}' is not the one expected: {what}. The file may come from another package version; use Microsoft.ML.DnnImageFeaturizer.ResNet18 0.24.0.");

    static string Describe(IEnumerable<NodeProto> nodes) => string.Join(", ", nodes.Select(n => $"{n.OpType} '{n.Name}'").DefaultIfEmpty("none"));
}
