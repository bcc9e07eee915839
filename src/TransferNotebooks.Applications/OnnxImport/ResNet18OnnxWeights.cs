using Onnx;
using TransferNotebooks.Layers;
using TransferNotebooks.Models;
using static TorchSharp.torch;

namespace TransferNotebooks.OnnxImport;

/// <summary>
/// Loads the ImageNet ResNet18 ONNX weights into <see cref="Applications.ResNet18"/>'s layers by walking the ONNX graph from its
/// input (Conv -> BatchNormalization -> Relu -> MaxPool, then each residual block from the Add that closes it), so every weight is
/// matched to a layer through the node that uses it, never by initializer order; each convolution's and pooling's strides and
/// padding are checked against what the layer computes (the file pads asymmetrically), and each BatchNormalization's epsilon.
/// </summary>
internal static class ResNet18OnnxWeights
{
    /// <summary>Copies the weights of the ONNX file at <paramref name="path"/> into <paramref name="model"/>.</summary>
    /// <exception cref="InvalidDataException">The file's graph or weights differ from ResNet18's (the message names the node).</exception>
    public static void Load(Functional model, string path)
    {
        var graph = OnnxGraph.Load(path);
        using var noGrad = no_grad();
        var conv = graph.Consumer(graph.DataInput, "Conv");
        var value = ConvBn(graph, model, conv, "conv1");
        value = graph.Consumer(value, "Relu").Output[0];
        var pool = graph.Consumer(value, "MaxPool");
        CheckWindow(graph, pool, (MaxPooling2D)model.Layers["pool1_pool"], Pads(model, "pool1_pad", null));
        value = pool.Output[0];
        foreach (var block in Applications.ResNet18Blocks.Skip(1))
            value = Block(graph, model, value, block);
        // The blocks must end where the file's network does: its 7x7 average pooling of the last block's output is the graph's output.
        var readers = graph.Consumers(value);
        if (readers.Count != 1 || readers[0].OpType != "AveragePool" || readers[0].Output[0] != graph.Graph.Output[0].Name)
            throw graph.Unexpected($"after block {Applications.ResNet18Blocks[^1]} the network should end with the AveragePool that gives the output "
                + $"'{graph.Graph.Output[0].Name}', but '{value}' is read by {string.Join(", ", readers.Select(n => $"{n.OpType} '{n.Name}'").DefaultIfEmpty("nothing"))}");
    }

    /// <summary>One residual block from its input value; returns the block's output value.</summary>
    static string Block(OnnxGraph graph, Functional model, string input, string name)
    {
        var convs = graph.Consumers(input).Where(n => n.OpType == "Conv").ToList();
        bool hasShortcut = model.Layers.IndexOf(name + "_0_conv") >= 0;
        if (convs.Count != (hasShortcut ? 2 : 1))
            throw graph.Unexpected($"block {name} should start with {(hasShortcut ? 2 : 1)} Conv node(s) reading '{input}' but {convs.Count} do");
        var main = convs.Single(c => OnnxGraph.Ints(c, "kernel_shape", []).SequenceEqual([3L, 3L]));
        var y = ConvBn(graph, model, main, name + "_1");
        y = graph.Consumer(y, "Relu").Output[0];
        var second = graph.Consumer(y, "Conv");
        y = ConvBn(graph, model, second, name + "_2");
        var add = graph.Consumer(y, "Add");
        string shortcut = input;
        if (hasShortcut) shortcut = ConvBn(graph, model, convs.Single(c => c != main), name + "_0");
        if (!add.Input.OrderBy(s => s, StringComparer.Ordinal).SequenceEqual(new[] { y, shortcut }.OrderBy(s => s, StringComparer.Ordinal)))
            throw graph.Unexpected($"block {name} should add '{y}' and '{shortcut}', but node '{add.Name}' adds {string.Join(" and ", add.Input)}");
        return graph.Consumer(add.Output[0], "Relu").Output[0];
    }

    /// <summary>Loads a Conv node into layer <c>{name}_conv</c> and the BatchNormalization reading it into <c>{name}_bn</c>; returns the BN's output value.</summary>
    static string ConvBn(OnnxGraph graph, Functional model, NodeProto conv, string name)
    {
        var layer = (Conv2D)model.Layers[name + "_conv"];
        CheckWindow(graph, conv, layer, Pads(model, name + "_pad", layer));
        if (conv.Input.Count > 2) throw graph.Unexpected($"Conv node '{conv.Name}' for {layer.Name} has a bias; the layer has none");
        if (OnnxGraph.Int(conv, "group", 1) != 1 || OnnxGraph.Ints(conv, "dilations", [1, 1]).Any(d => d != 1))
            throw graph.Unexpected($"Conv node '{conv.Name}' for {layer.Name} is grouped or dilated");
        Copy(graph, conv.Input[1], layer.Kernel, layer.Name!);

        var bnNode = graph.Consumer(conv.Output[0], "BatchNormalization");
        var bn = (BatchNormalization)model.Layers[name + "_bn"];
        float epsilon = OnnxGraph.Float(bnNode, "epsilon", 1e-5f);
        if (Math.Abs(epsilon - bn.Epsilon) > 1e-6 * bn.Epsilon)
            throw graph.Unexpected($"BatchNormalization node '{bnNode.Name}' has epsilon {epsilon}; layer {bn.Name} uses {bn.Epsilon}");
        // ONNX BatchNormalization inputs: X, scale, B, mean, var.
        Copy(graph, bnNode.Input[1], bn.Gamma, bn.Name!);
        Copy(graph, bnNode.Input[2], bn.Beta, bn.Name!);
        Copy(graph, bnNode.Input[3], bn.MovingMean, bn.Name!);
        Copy(graph, bnNode.Input[4], bn.MovingVariance, bn.Name!);
        return bnNode.Output[0];
    }

    /// <summary>The padding (top, left, bottom, right), as ONNX writes it, that <paramref name="padName"/> (if the model has it) plus the layer's own "same" padding add.</summary>
    static long[] Pads(Functional model, string padName, Conv2D? conv)
    {
        long[] pads = [0, 0, 0, 0];
        if (model.Layers.IndexOf(padName) >= 0)
        {
            var p = (ZeroPadding2D)model.Layers[padName];
            pads = [p.Rows.Top, p.Columns.Left, p.Rows.Bottom, p.Columns.Right];
        }
        if (conv is { PaddingMode: "same" })
        {
            var (top, bottom) = Padding.SamePads(conv.InputShape![0], conv.KernelSize.H, conv.Strides.H);
            var (left, right) = Padding.SamePads(conv.InputShape![1], conv.KernelSize.W, conv.Strides.W);
            pads = [pads[0] + top, pads[1] + left, pads[2] + bottom, pads[3] + right];
        }
        return pads;
    }

    /// <summary>Checks a Conv or MaxPool node's window, strides and pads against the layer's.</summary>
    static void CheckWindow(OnnxGraph graph, NodeProto node, Layer layer, long[] pads)
    {
        var (kernel, strides) = layer switch
        {
            Conv2D c => (new long[] { c.KernelSize.H, c.KernelSize.W }, new long[] { c.Strides.H, c.Strides.W }),
            Pooling2D p => (new long[] { p.PoolSize, p.PoolSize }, new long[] { p.Strides, p.Strides }),
            _ => throw new ArgumentException($"Layer {layer.Name} has no window."),
        };
        var fileKernel = OnnxGraph.Ints(node, "kernel_shape", []);
        var fileStrides = OnnxGraph.Ints(node, "strides", [1, 1]);
        var filePads = OnnxGraph.Ints(node, "pads", [0, 0, 0, 0]);
        if (!fileKernel.SequenceEqual(kernel) || !fileStrides.SequenceEqual(strides) || !filePads.SequenceEqual(pads))
            throw graph.Unexpected($"{node.OpType} node '{node.Name}' (kernel [{string.Join(", ", fileKernel)}], strides [{string.Join(", ", fileStrides)}], pads [{string.Join(", ", filePads)}]) "
                + $"does not compute what layer {layer.Name} does (kernel [{string.Join(", ", kernel)}], strides [{string.Join(", ", strides)}], pads [{string.Join(", ", pads)}])");
    }

    /// <summary>Copies initializer <paramref name="weight"/> into <paramref name="target"/> (same layout: ONNX Conv weights are [out, in, kh, kw] like the layer's).</summary>
    static void Copy(OnnxGraph graph, string weight, Tensor target, string layer)
    {
        using var value = graph.Initializer(weight);
        if (!value.shape.SequenceEqual(target.shape))
            throw graph.Unexpected($"weight '{weight}' has shape [{string.Join(", ", value.shape)}] but layer {layer} needs [{string.Join(", ", target.shape)}]");
        target.copy_(value);
    }
}
