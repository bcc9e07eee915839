using System.Text;
using TransferNotebooks.Layers;
using TransferNotebooks.Models;
using TransferNotebooks.Training;
using static TorchSharp.torch;

namespace TransferNotebooks.Interop.PyTorch;

/// <summary>
/// The model walk that writes <c>model.py</c>: one Python class per model (nested models included) whose modules are the layers'
/// PyTorch forms (<see cref="Layer.ToPyTorch"/>), named as the layers, so the model's own weights are its state_dict; the forward
/// pass runs the layers in the model's order over the same internal layout, with the same padding-mask routing.
/// </summary>
internal sealed class PyTorchModelScript
{
    /// <summary>The top-level class's name in model.py.</summary>
    public const string ModelClassName = "Model";

    readonly List<PyTorchClass> layerClasses = [];
    readonly List<string> modelClasses = [];
    readonly Dictionary<ITrainableModel, string> modelClassNames = new(ReferenceEqualityComparer.Instance);

    /// <summary>One layer call: the layer, the value slots it reads (0 to k-1 are the model's k inputs) and the slot it writes.</summary>
    sealed record Step(Layer Layer, int[] Inbound, int Slot);

    /// <summary>The complete model.py for <paramref name="model"/>.</summary>
    /// <exception cref="InvalidOperationException">The model is not built.</exception>
    /// <exception cref="NotSupportedException">A layer or activation has no PyTorch form (the message names it).</exception>
    public static string Generate(ITrainableModel model, string? loss)
    {
        var script = new PyTorchModelScript();
        script.DefineModel(model, top: true, loss);
        var text = new StringBuilder();
        text.Append("""
            # PyTorch form of a TransferNotebooks model, written by SavePyTorch. The parameter names and shapes are the .NET model's own,
            # so state_dict.pt (beside this file) loads as it is:
            #     from model import load
            #     model = load()                       # Model() with state_dict.pt loaded, in eval mode
            #     probabilities = model(x)             # x in Keras layout: images [N, H, W, C], token ids [N, steps]
            #     logits = model(x, logits=True)       # without the output layer's softmax/sigmoid, for a fused loss
            # Inside, images are channels first [N, C, H, W], as in the .NET model.
            import os

            import torch
            from torch import nn
            import torch.nn.functional as F

            """).Append('\n');
        foreach (var c in script.layerClasses) text.Append('\n').Append(c.Source.TrimEnd()).Append("\n\n");
        foreach (var c in script.modelClasses) text.Append('\n').Append(c.TrimEnd()).Append("\n\n");
        text.Append($$"""

            def load(directory=None, map_location="cpu"):
                # The model with the weights of state_dict.pt in directory (default: this file's folder), in eval mode.
                model = {{ModelClassName}}()
                path = os.path.join(directory or os.path.dirname(os.path.abspath(__file__)), "state_dict.pt")
                model.load_state_dict(torch.load(path, map_location=map_location))
                return model.eval()

            """);
        return text.ToString().ReplaceLineEndings("\n");
    }

    static (IReadOnlyList<Step> Steps, int[] InputShape, string Name) Graph(ITrainableModel model) => model switch
    {
        Sequential s when s.Built => (s.Layers.Select((l, i) => new Step(l, [i], i + 1)).ToList(), s.InputShape!, s.Name),
        Sequential s => throw new InvalidOperationException($"Model '{s.Name}' is not built, so its layers have no shapes to export. "
            + "Give the first layer an inputShape, call Build(shape), or run Predict/Fit once before SavePyTorch."),
        Functional f => (f.Nodes.Select(n => new Step(n.Layer, n.Inbound, n.Slot)).ToList(), f.InputShape, f.Name),
        _ => throw new NotSupportedException($"SavePyTorch exports Sequential and Functional models, not {model.GetType().Name}."),
    };

    string DefineModel(ITrainableModel model, bool top, string? loss = null)
    {
        if (modelClassNames.TryGetValue(model, out var known)) return known;
        var (steps, inputShape, name) = Graph(model);
        var className = top ? ModelClassName : UniqueClassName("Model_" + PythonSyntax.ClassName(name));
        modelClassNames[model] = className;
        // A top-level Functional with several inputs or outputs takes one tensor per input and returns a tuple for several outputs;
        // every other model keeps the one-input, one-output form (forward(x)).
        var several = top && model is Functional f && (f.Inputs.Count > 1 || f.Outputs.Count > 1) ? f : null;
        int[] outputSlots = several?.Outputs.Select(o => several.Nodes.First(n => ReferenceEquals(n.Output, o)).Slot).ToArray() ?? [];
        bool tupleOut = outputSlots.Length > 1;
        var outputLogits = new Dictionary<int, string>();
        var init = new List<string>();
        var call = new List<string>();
        var defined = new HashSet<Layer>(ReferenceEqualityComparer.Instance);
        var masks = new Dictionary<int, string?>();
        for (int i = 0; i < steps.Count; i++)
        {
            var (layer, inbound, slot) = steps[i];
            var layerName = layer.Name ?? throw new InvalidOperationException($"A layer of model '{name}' has no name; add the model's layers to a model before exporting.");
            bool attribute = PythonSyntax.IsAttributeName(layerName);
            var self = attribute ? $"self.{layerName}" : $"getattr(self, {PythonSyntax.String(layerName)})";
            var mask = inbound.Length == 1 ? masks.GetValueOrDefault(inbound[0]) : null;
            var code = layer.ToPyTorch(new PyTorchContext(self, inbound.Select(s => $"h{s}").ToList(), mask, m => DefineModel(m, top: false)));
            foreach (var c in code.Classes ?? []) AddClass(c);
            if (code.Module is { } module && defined.Add(layer))
                init.Add(attribute ? $"self.{layerName} = {module}" : $"self.add_module({PythonSyntax.String(layerName)}, {module})");
            if (tupleOut && outputSlots.Contains(slot) && code.WithoutActivation is { } withoutActivation && withoutActivation != code.Forward)
            {
                if (steps.Skip(i + 1).Any(s => s.Inbound.Contains(slot)))
                {
                    // Read further on as well: later layers take the activated value; the logits are computed beside it.
                    call.Add($"h{slot} = {code.Forward}");
                    call.Add($"z{slot} = {withoutActivation} if logits else h{slot}");
                    outputLogits[slot] = $"z{slot}";
                }
                else
                {
                    call.Add("if logits:");
                    call.Add($"    h{slot} = {withoutActivation}");
                    call.Add("else:");
                    call.Add($"    h{slot} = {code.Forward}");
                }
            }
            else if (i == steps.Count - 1 && !tupleOut)
            {
                if (code.WithoutActivation is { } logits && logits != code.Forward)
                {
                    call.Add("if logits:");
                    call.Add($"    return {logits}");
                }
                call.Add($"return {code.Forward}");
            }
            else call.Add($"h{slot} = {code.Forward}");
            if (code.OutputMask is { } outputMask)
            {
                call.Add($"m{slot} = {outputMask}");
                masks[slot] = $"m{slot}";
            }
            else masks[slot] = layer.PassesMask ? mask : null;
        }
        if (tupleOut)
        {
            // As PredictOutputs: images back to channels last, each output in its Keras shape.
            var outs = outputSlots.Select((s, k) => $"self.keras_output({outputLogits.GetValueOrDefault(s, $"h{s}")}, {k})");
            call.Add($"return ({string.Join(", ", outs)})");
        }

        var text = new StringBuilder();
        text.Append($"class {className}(nn.Module):\n");
        if (several is not null) AppendSeveralHeader(text, several, steps, loss);
        else if (top)
        {
            var last = steps[^1].Layer;
            var dtype = InputDType(steps, 0);
            text.Append($"    # Model '{name}': input {Layer.ShapeText(inputShape)} in Keras layout, output as the .NET model's Predict.\n");
            text.Append($"    input_shape = {PythonSyntax.Tuple(inputShape)}\n");
            text.Append($"    input_dtype = {dtype}\n");
            text.Append($"    output_activation = {PythonSyntax.String(last.OutputActivation?.Name ?? "linear")}\n");
            text.Append($"    loss = {(loss is null ? "None" : PythonSyntax.String(loss))}\n\n");
        }
        else text.Append($"    # Nested model '{name}': runs on the internal layout (images [N, C, H, W]).\n\n");
        text.Append("    def __init__(self):\n        super().__init__()\n");
        foreach (var line in init) text.Append("        ").Append(line).Append('\n');
        if (several is not null) AppendSeveralMethods(text, tupleOut);
        else if (top)
            text.Append("""

                    def forward(self, x, logits=False):
                        y = self.call(self.prepare(x), logits=logits)
                        # As Predict: an image output (a feature map) leaves the model channels last, in Keras's layout.
                        return y.permute(0, 2, 3, 1) if y.dim() == 4 else y

                    def prepare(self, x):
                        # Keras layout to the internal one, as the .NET model's input preparation: grayscale [N, H, W] gets its channel,
                        # token ids become int64, other integers float32, images go channels first.
                        x = torch.as_tensor(x)
                        if len(self.input_shape) == 3 and self.input_shape[2] == 1 and x.dim() == 3:
                            x = x.unsqueeze(-1)
                        if self.input_dtype == torch.int64:
                            x = x.long()
                        elif not x.is_floating_point():
                            x = x.float()
                        if len(self.input_shape) == 3:
                            x = x.permute(0, 3, 1, 2)
                        return x

                """).Append('\n');
        else text.Append('\n');
        var parameters = several is null ? "h0" : string.Join(", ", Enumerable.Range(0, several.Inputs.Count).Select(k => $"h{k}"));
        text.Append($"    def call(self, {parameters}, logits=False):\n");
        foreach (var line in call) text.Append("        ").Append(line).Append('\n');
        modelClasses.Add(text.ToString());
        return className;
    }

    /// <summary>The Python dtype model input <paramref name="input"/> is prepared to: the first consumer's with a dtype (int64 for Embedding), else float32.</summary>
    static string InputDType(IReadOnlyList<Step> steps, int input)
    {
        var dtype = steps.Where(s => s.Inbound.Contains(input)).Select(s => s.Layer.InputDType).FirstOrDefault(d => d is not null);
        return dtype == ScalarType.Int64 ? "torch.int64" : "torch.float32";
    }

    /// <summary>The class attributes of a model with several inputs or outputs: names, Keras shapes and dtypes per input, names, shapes and activations per output.</summary>
    static void AppendSeveralHeader(StringBuilder text, Functional model, IReadOnlyList<Step> steps, string? loss)
    {
        var ins = model.Inputs.Select(i => $"'{i.InputName}' {Layer.ShapeText(i.ShapeArray)}");
        var outNames = model.Outputs.Select(o => o.Layer!.Name!).ToList();
        var outs = model.Outputs.Select((o, k) => $"'{outNames[k]}' {Layer.ShapeText(o.ShapeArray)}");
        var activations = model.Outputs.Select(o => PythonSyntax.String(o.Layer!.OutputActivation?.Name ?? "linear")).ToList();
        text.Append($"    # Model '{model.Name}': {model.Inputs.Count} inputs in Keras layout, one tensor each in this order: {string.Join(", ", ins)}.\n");
        text.Append(model.Outputs.Count > 1
            ? $"    # {model.Outputs.Count} outputs, a tuple in this order, each as the .NET model's PredictOutputs: {string.Join(", ", outs)}.\n"
            : $"    # Output {string.Join(", ", outs)}, as the .NET model's Predict.\n");
        text.Append($"    input_names = {Tuple(model.Inputs.Select(i => PythonSyntax.String(i.InputName!)))}\n");
        text.Append($"    input_shapes = {Tuple(model.Inputs.Select(i => PythonSyntax.Tuple(i.ShapeArray)))}\n");
        text.Append($"    input_dtypes = {Tuple(model.Inputs.Select((_, k) => InputDType(steps, k)))}\n");
        text.Append($"    output_names = {Tuple(outNames.Select(PythonSyntax.String))}\n");
        text.Append($"    output_shapes = {Tuple(model.Outputs.Select(o => PythonSyntax.Tuple(o.ShapeArray)))}\n");
        text.Append($"    output_activations = {Tuple(activations)}\n");
        if (model.Outputs.Count == 1) text.Append($"    output_activation = {activations[0]}\n");
        text.Append($"    loss = {(loss is null ? "None" : PythonSyntax.String(loss))}\n\n");
    }

    /// <summary>A Python tuple of already formatted items (a one-item tuple keeps its comma).</summary>
    static string Tuple(IEnumerable<string> items)
    {
        var list = items.ToList();
        return list.Count == 1 ? $"({list[0]},)" : $"({string.Join(", ", list)})";
    }

    /// <summary>forward, prepare and (for several outputs) keras_output of a model with several inputs or outputs.</summary>
    static void AppendSeveralMethods(StringBuilder text, bool tupleOut)
    {
        text.Append("""

                def forward(self, *inputs, logits=False):
                    # One tensor per input, in input_names' order. logits=True returns each output without its softmax/sigmoid.
                    if len(inputs) != len(self.input_shapes):
                        raise TypeError(f"this model takes {len(self.input_shapes)} inputs ({', '.join(self.input_names)}), one tensor each, "
                                        f"but was given {len(inputs)}")
                    return self.call(*[self.prepare(x, k) for k, x in enumerate(inputs)], logits=logits)

                def prepare(self, x, index=0):
                    # Input index from Keras layout to the internal one, as the .NET model's input preparation: grayscale [N, H, W] gets its
                    # channel, token ids become int64, other integers float32, images go channels first.
                    shape, dtype = self.input_shapes[index], self.input_dtypes[index]
                    x = torch.as_tensor(x)
                    if len(shape) == 3 and shape[2] == 1 and x.dim() == 3:
                        x = x.unsqueeze(-1)
                    if dtype == torch.int64:
                        x = x.long()
                    elif not x.is_floating_point():
                        x = x.float()
                    if len(shape) == 3:
                        x = x.permute(0, 3, 1, 2)
                    return x

            """).Append('\n');
        if (tupleOut)
            text.Append("""
                    def keras_output(self, h, index):
                        # An output as PredictOutputs gives it: images channels last, in the output's Keras shape.
                        if h.dim() == 4:
                            h = h.permute(0, 2, 3, 1)
                        return h.reshape(h.shape[0], *self.output_shapes[index])

                """).Append('\n');
    }

    void AddClass(PyTorchClass c)
    {
        if (layerClasses.Any(k => k.Name == c.Name)) return;
        layerClasses.Add(c);
    }

    string UniqueClassName(string candidate)
    {
        var taken = modelClassNames.Values.Concat(layerClasses.Select(c => c.Name)).Append(ModelClassName).ToHashSet();
        var name = candidate;
        for (int i = 1; taken.Contains(name); i++) name = $"{candidate}_{i}";
        return name;
    }
}
