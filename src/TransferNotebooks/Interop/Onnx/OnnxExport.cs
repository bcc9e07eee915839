using System.Reflection;
using Google.Protobuf;
using Onnx;
using TransferNotebooks.Data;
using TransferNotebooks.Layers;
using TransferNotebooks.Models;
using static TorchSharp.torch;

namespace TransferNotebooks.Interop.Onnx;

/// <summary>
/// Writes a model as an ONNX file (opset <see cref="OnnxGraph.Opset"/>): walks a <see cref="Sequential"/>'s layers or a
/// <see cref="Functional"/>'s calls, asks each layer for its nodes (<see cref="Layer.ToOnnx"/>) and wraps them between the model's
/// own input (Keras layout, as <c>Predict</c> takes it: channels last, int64 token ids for an Embedding) and exactly what
/// <c>Predict</c> returns. The batch dimension is dynamic (<c>batch</c>).
/// </summary>
internal static class OnnxExport
{
    /// <summary>The graph input's name.</summary>
    public const string InputName = "input";

    /// <summary>The graph output's name.</summary>
    public const string OutputName = "output";

    /// <summary>Saves <paramref name="model"/> (a Sequential or a Functional) as ONNX at <paramref name="path"/>, atomically.</summary>
    /// <exception cref="NotSupportedException"><paramref name="includeOptimizer"/>: ONNX carries no training state; or a layer has no ONNX form.</exception>
    public static void Save(KerasModel model, string path, bool includeOptimizer)
    {
        if (includeOptimizer)
            throw new NotSupportedException($"ONNX files carry no training state; save '{path}' without includeOptimizer, or as a {Model.Extension} file to resume training.");
        if (model is Sequential { Built: false } s)
            throw new InvalidOperationException($"Model '{s.Name}' is not built, so its input shape is unknown: give the first layer an inputShape, call Build(shape), or Fit/Predict once before saving as ONNX.");
        Write(ToModel(model), path);
    }

    static void Write(ModelProto proto, string path) => AtomicFile.Write(path, s => proto.WriteTo(s));

    /// <summary>The ONNX model of <paramref name="model"/> (a Sequential or a Functional).</summary>
    internal static ModelProto ToModel(object model)
    {
        if (model is Functional { Inputs.Count: > 1 } or Functional { Outputs.Count: > 1 }) return ToGraphModel((Functional)model);
        var nested = (INestedModel)model;
        var inputShape = nested.InputShape ?? throw new InvalidOperationException($"Model '{nested.Name}' is not built.");
        var outputShape = nested.OutputShape ?? throw new InvalidOperationException($"Model '{nested.Name}' is not built.");
        var graph = new OnnxGraph();
        graph.Reserve(InputName);
        graph.Reserve(OutputName);
        bool tokens = nested.FirstLayer.InputDType is ScalarType.Int64;
        graph.Proto.Input.Add(OnnxGraph.ValueInfo(InputName, tokens ? TensorProto.Types.DataType.Int64 : TensorProto.Types.DataType.Float, inputShape));
        // As ModelCore.PrepareInput: images enter channels last and run channels first inside.
        var x = ImageLayout.IsImage(inputShape) ? graph.Transpose(InputName, 0, 3, 1, 2) : InputName;
        var y = Walk(graph, model, x);
        // As Predict: an image output (a feature map) leaves the model channels last, in Keras's layout.
        if (ImageLayout.IsImage(outputShape)) y = graph.Transpose(y, 0, 2, 3, 1);
        graph.Proto.Node.Add(new NodeProto { OpType = "Identity", Name = OutputName, Input = { y }, Output = { OutputName } });
        int[] outputDims = outputShape;
        graph.Proto.Output.Add(OnnxGraph.ValueInfo(OutputName, TensorProto.Types.DataType.Float, outputDims));
        return Wrap(graph, nested.Name);
    }

    /// <summary>
    /// A functional model with several inputs or outputs: one graph input per model input, named as the model's inputs (each in
    /// Keras layout and its first layer's dtype), and one graph output per model output, named after the layer that makes it, in
    /// Keras layout as <see cref="Functional.PredictOutputs(TorchSharp.torch.Tensor, int)"/> returns it.
    /// </summary>
    static ModelProto ToGraphModel(Functional f)
    {
        var graph = new OnnxGraph();
        var inputNames = f.Inputs.Select(i => i.InputName!).ToArray();
        var outputNames = f.Outputs.Select(o => o.Layer!.Name!).ToArray();
        foreach (var name in inputNames.Concat(outputNames)) graph.Reserve(name);
        var values = new string?[f.Nodes.Max(n => n.Slot) + 1];
        for (int i = 0; i < f.Inputs.Count; i++)
        {
            var shape = f.Inputs[i].ShapeArray;
            bool tokens = f.Nodes.Where(n => n.Inbound.Contains(i)).Select(n => n.Layer.InputDType).FirstOrDefault(d => d is not null) is ScalarType.Int64;
            graph.Proto.Input.Add(OnnxGraph.ValueInfo(inputNames[i], tokens ? TensorProto.Types.DataType.Int64 : TensorProto.Types.DataType.Float, shape));
            values[i] = ImageLayout.IsImage(shape) ? graph.Transpose(inputNames[i], 0, 3, 1, 2) : inputNames[i];
        }
        foreach (var node in f.Nodes) values[node.Slot] = Apply(graph, node.Layer, node.Inbound.Select(i => values[i]!).ToArray());
        for (int o = 0; o < f.Outputs.Count; o++)
        {
            var output = f.Outputs[o];
            var y = values[f.Nodes.First(n => ReferenceEquals(n.Output, output)).Slot]!;
            if (ImageLayout.IsImage(output.ShapeArray)) y = graph.Transpose(y, 0, 2, 3, 1);
            graph.Proto.Node.Add(new NodeProto { OpType = "Identity", Name = outputNames[o], Input = { y }, Output = { outputNames[o] } });
            graph.Proto.Output.Add(OnnxGraph.ValueInfo(outputNames[o], TensorProto.Types.DataType.Float, output.ShapeArray));
        }
        return Wrap(graph, f.Name);
    }

    /// <summary>The ONNX model around a finished graph: IR version, producer, opset.</summary>
    static ModelProto Wrap(OnnxGraph graph, string name)
    {
        graph.Proto.Name = name;
        var proto = new ModelProto
        {
            IrVersion = 8,
            ProducerName = "TransferNotebooks",
            ProducerVersion = typeof(OnnxExport).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "",
            Graph = graph.Proto,
        };
        proto.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = OnnxGraph.Opset });
        return proto;
    }

    /// <summary>Adds the nodes of a nested model (a <see cref="ModelLayer"/>) on <paramref name="input"/>, in its inner layout; returns its output.</summary>
    internal static string Inline(OnnxGraph graph, object model, string input) => Walk(graph, model, input);

    static string Walk(OnnxGraph graph, object model, string input)
    {
        switch (model)
        {
            case Sequential s:
            {
                var h = input;
                foreach (var layer in ((INestedModel)s).AllLayers) h = Apply(graph, layer, [h]);
                return h;
            }
            case Functional f:
            {
                var values = new string?[f.Nodes.Max(n => n.Slot) + 1];
                values[0] = input;
                foreach (var node in f.Nodes) values[node.Slot] = Apply(graph, node.Layer, node.Inbound.Select(i => values[i]!).ToArray());
                return values[f.Nodes[^1].Slot]!;
            }
            default:
                throw new NotSupportedException($"Cannot export a {model.GetType().Name} to ONNX: only Sequential and Functional models can be.");
        }
    }

    /// <summary>One layer call: the layer's nodes under its name, and the padding mask passed on as its <c>ComputeMask</c> does.</summary>
    static string Apply(OnnxGraph graph, Layer layer, string[] inputs)
    {
        string[] outputs;
        using (graph.EnterScope(layer.Name ?? layer.LayerType.DefaultName)) outputs = layer.ToOnnx(graph, inputs);
        if (outputs.Length != 1)
            throw new InvalidOperationException($"Layer {layer.Label}'s ToOnnx returned {outputs.Length} outputs; a layer returns exactly one.");
        var y = outputs[0];
        if (inputs.Length == 1 && layer.PassesMask && graph.MaskOf(inputs[0]) is { } mask && graph.MaskOf(y) is null && y != inputs[0])
            graph.SetMask(y, mask);
        return y;
    }
}
