using System.Runtime.InteropServices;
using Google.Protobuf;
using Onnx;
using TransferNotebooks.Layers;
using static TorchSharp.torch;

namespace TransferNotebooks.Interop.Onnx;

/// <summary>An attribute of an ONNX node: its name and value (a long, float, string, long[] or float[]).</summary>
/// <param name="Name">The attribute's name as the ONNX operator spec spells it (<c>axis</c>, <c>kernel_shape</c>, ...).</param>
/// <param name="Value">A <see cref="long"/>, <see cref="int"/>, <see cref="float"/>, <see cref="double"/>, <see cref="string"/>, <c>long[]</c>, <c>int[]</c>, <c>float[]</c> or <c>string[]</c>.</param>
public sealed record OnnxAttribute(string Name, object Value);

/// <summary>
/// The ONNX graph being written (ONNX protobuf classes from OnnxSharp): nodes with unique names, weights as initializers, and which
/// values carry a padding mask. Each layer adds its own nodes through <see cref="Layer.ToOnnx"/>; values are named by strings.
/// </summary>
/// <remarks>
/// Inside the graph values follow the model's inner layout, as the layers' <c>Call</c> sees them: images channels first
/// ([N, C, H, W]), sequences [N, steps, features]. The model's input and output are converted by the exporter.
/// </remarks>
public sealed class OnnxGraph
{
    /// <summary>The opset of the default ONNX domain the graph uses.</summary>
    public const int Opset = 17;

    readonly GraphProto graph = new() { Name = "model" };
    readonly HashSet<string> names = new(StringComparer.Ordinal);
    readonly Dictionary<string, string> masks = new(StringComparer.Ordinal);
    readonly Stack<string> scopes = new();

    internal OnnxGraph() { }

    internal GraphProto Proto => graph;

    /// <summary>The name prefix of nodes and weights being added (the current layer's name, nested models outermost first).</summary>
    internal string Scope => string.Join("/", scopes.Reverse());

    /// <summary>Enters a layer's scope: the nodes and weights it adds are named after it.</summary>
    internal IDisposable EnterScope(string name)
    {
        scopes.Push(name);
        return new ScopeExit(scopes);
    }

    sealed class ScopeExit(Stack<string> scopes) : IDisposable
    {
        public void Dispose() => scopes.Pop();
    }

    /// <summary>A name not used yet in the graph, from <paramref name="hint"/> under the current scope.</summary>
    public string UniqueName(string hint)
    {
        var baseName = Scope.Length == 0 ? hint : Scope + "/" + hint;
        var name = baseName;
        for (int i = 1; !names.Add(name); i++) name = $"{baseName}_{i}";
        return name;
    }

    /// <summary>Adds a node with one output and returns the output's name. <c>var y = graph.Node("Relu", [x]);</c></summary>
    /// <param name="opType">The ONNX operator (default domain, opset <see cref="Opset"/>).</param>
    /// <param name="inputs">Input value names; an empty string skips an optional input.</param>
    /// <param name="attributes">The node's attributes.</param>
    public string Node(string opType, IReadOnlyList<string> inputs, params OnnxAttribute[] attributes) =>
        Node(opType, inputs, 1, attributes)[0];

    /// <summary>Adds a node with <paramref name="outputs"/> outputs and returns their names.</summary>
    public string[] Node(string opType, IReadOnlyList<string> inputs, int outputs, params OnnxAttribute[] attributes)
    {
        var node = new NodeProto { OpType = opType, Name = UniqueName(opType) };
        node.Input.AddRange(inputs);
        var result = new string[outputs];
        for (int i = 0; i < outputs; i++) result[i] = outputs == 1 ? node.Name : UniqueName($"{opType}_out{i}");
        node.Output.AddRange(result);
        foreach (var a in attributes) node.Attribute.Add(ToProto(a));
        graph.Node.Add(node);
        return result;
    }

    /// <summary>Adds a weight (float32, or int64 for integer tensors) as an initializer and returns its name; the values are copied.</summary>
    public string Initializer(Tensor value, string hint)
    {
        var name = UniqueName(hint);
        using var cpu = value.detach().cpu();
        var proto = new TensorProto { Name = name };
        proto.Dims.AddRange(cpu.shape);
        if (cpu.is_floating_point())
        {
            using var f = cpu.to_type(ScalarType.Float32).contiguous();
            proto.DataType = (int)TensorProto.Types.DataType.Float;
            proto.RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(f.data<float>().ToArray().AsSpan()));
        }
        else
        {
            using var l = cpu.to_type(ScalarType.Int64).contiguous();
            proto.DataType = (int)TensorProto.Types.DataType.Int64;
            proto.RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(l.data<long>().ToArray().AsSpan()));
        }
        graph.Initializer.Add(proto);
        return name;
    }

    /// <summary>Adds a float32 constant of <paramref name="shape"/> (a scalar when empty) and returns its name.</summary>
    public string Constant(float[] values, long[] shape, string hint = "const")
    {
        var proto = new TensorProto { Name = UniqueName(hint), DataType = (int)TensorProto.Types.DataType.Float };
        proto.Dims.AddRange(shape);
        proto.RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan()));
        graph.Initializer.Add(proto);
        return proto.Name;
    }

    /// <summary>Adds a float32 scalar constant and returns its name.</summary>
    public string Scalar(float value, string hint = "const") => Constant([value], [], hint);

    /// <summary>Adds a one-dimensional int64 constant (shapes, axes, permutations) and returns its name.</summary>
    public string Int64s(long[] values, string hint = "const")
    {
        var proto = new TensorProto { Name = UniqueName(hint), DataType = (int)TensorProto.Types.DataType.Int64 };
        proto.Dims.Add(values.Length);
        proto.RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan()));
        graph.Initializer.Add(proto);
        return proto.Name;
    }

    /// <summary>Transposes <paramref name="input"/> by <paramref name="perm"/>.</summary>
    public string Transpose(string input, params long[] perm) => Node("Transpose", [input], new OnnxAttribute("perm", perm));

    /// <summary>Records that <paramref name="value"/> carries a padding mask (<paramref name="mask"/>: [N, steps], bool, true = real step).</summary>
    public void SetMask(string value, string mask) => masks[value] = mask;

    /// <summary>The padding mask of <paramref name="value"/> ([N, steps] bool), or null when it has none.</summary>
    public string? MaskOf(string value) => masks.GetValueOrDefault(value);

    /// <summary>The error for a layer setting ONNX cannot express: names the layer, the reason and the fix.</summary>
    public static NotSupportedException Refuse(Layer layer, string what, string fix) =>
        new($"Layer {layer.Label} cannot be exported to ONNX: {what}. {fix}");

    /// <summary>Declares a graph input or output of element type <paramref name="elementType"/>, batch dimension named <c>batch</c>.</summary>
    internal static ValueInfoProto ValueInfo(string name, TensorProto.Types.DataType elementType, IEnumerable<int> perSample)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = "batch" });
        foreach (var d in perSample) shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)elementType, Shape = shape } },
        };
    }

    /// <summary>Reserves a name (the graph's input and output).</summary>
    internal void Reserve(string name)
    {
        if (!names.Add(name)) throw new InvalidOperationException($"The ONNX value name '{name}' is already taken.");
    }

    static AttributeProto ToProto(OnnxAttribute a)
    {
        var p = new AttributeProto { Name = a.Name };
        switch (a.Value)
        {
            case long l: p.Type = AttributeProto.Types.AttributeType.Int; p.I = l; break;
            case int i: p.Type = AttributeProto.Types.AttributeType.Int; p.I = i; break;
            case float f: p.Type = AttributeProto.Types.AttributeType.Float; p.F = f; break;
            case double d: p.Type = AttributeProto.Types.AttributeType.Float; p.F = (float)d; break;
            case string s: p.Type = AttributeProto.Types.AttributeType.String; p.S = ByteString.CopyFromUtf8(s); break;
            case long[] ls: p.Type = AttributeProto.Types.AttributeType.Ints; p.Ints.AddRange(ls); break;
            case int[] ints: p.Type = AttributeProto.Types.AttributeType.Ints; p.Ints.AddRange(ints.Select(x => (long)x)); break;
            case float[] fs: p.Type = AttributeProto.Types.AttributeType.Floats; p.Floats.AddRange(fs); break;
            case string[] ss: p.Type = AttributeProto.Types.AttributeType.Strings; p.Strings.AddRange(ss.Select(ByteString.CopyFromUtf8)); break;
            default:
                throw new ArgumentException($"ONNX attribute '{a.Name}' has a value of type {a.Value?.GetType().Name ?? "null"}; use long, float, string, long[], float[] or string[].");
        }
        return p;
    }
}
