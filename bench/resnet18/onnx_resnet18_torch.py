"""ResNet18 in PyTorch with the weights of Microsoft.ML.DnnImageFeaturizer.ResNet18's ONNX file (read with onnx.numpy_helper).

The network is run by interpreting the ONNX graph node by node with torch operations, following the ONNX operator
definitions (Conv/MaxPool `pads` are [top, left, bottom, right]; MaxPool pads with -inf), so nothing about the
architecture is assumed. Used by bench/resnet18/bench.py and to cross-check the .NET conversion.
"""
import onnx
import torch
import torch.nn.functional as F
from onnx import numpy_helper


def _attrs(node):
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


class OnnxTorchNet(torch.nn.Module):
    def __init__(self, path):
        super().__init__()
        model = onnx.load(path)
        self.graph = model.graph
        self.weights = {i.name: torch.from_numpy(numpy_helper.to_array(i).copy()) for i in model.graph.initializer}
        self.input_name = next(i.name for i in model.graph.input if i.name not in self.weights)
        self.output_name = model.graph.output[0].name

    def forward(self, x):
        values = dict(self.weights)
        values[self.input_name] = x
        for node in self.graph.node:
            a = _attrs(node)
            ins = [values[n] for n in node.input]
            op = node.op_type
            if op == "Conv":
                t, l, b, r = a.get("pads", [0, 0, 0, 0])
                y = F.conv2d(F.pad(ins[0], (l, r, t, b)), ins[1], ins[2] if len(ins) > 2 else None,
                             stride=tuple(a.get("strides", [1, 1])), dilation=tuple(a.get("dilations", [1, 1])), groups=a.get("group", 1))
            elif op == "BatchNormalization":
                y = F.batch_norm(ins[0], ins[3], ins[4], ins[1], ins[2], False, 0.0, a.get("epsilon", 1e-5))
            elif op == "Relu":
                y = F.relu(ins[0])
            elif op == "MaxPool":
                t, l, b, r = a.get("pads", [0, 0, 0, 0])
                y = F.max_pool2d(F.pad(ins[0], (l, r, t, b), value=float("-inf")), tuple(a["kernel_shape"]), tuple(a.get("strides", [1, 1])))
            elif op == "AveragePool":
                assert a.get("pads", [0, 0, 0, 0]) == [0, 0, 0, 0]
                y = F.avg_pool2d(ins[0], tuple(a["kernel_shape"]), tuple(a.get("strides", [1, 1])))
            elif op == "Add":
                y = ins[0] + ins[1]
            elif op == "Sub":
                y = ins[0] - ins[1]
            else:
                raise NotImplementedError(op)
            values[node.output[0]] = y
        return values[self.output_name]
