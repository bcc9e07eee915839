namespace TransferNotebooks.Interop.PyTorch;

/// <summary>
/// A layer's form in an exported <c>model.py</c>: the module its constructor creates (null for layers without weights or state),
/// the forward expression, the Python classes the module needs, and the mask it makes.
/// </summary>
/// <param name="Module">The module construction, for example <c>Dense(784, 10)</c>; assigned to the layer's name, so its
/// parameters land in the state_dict as <c>layer.weight</c>. Null when the forward expression needs no module.</param>
/// <param name="Forward">The forward expression over <see cref="PyTorchContext.Inputs"/>, for example <c>torch.relu(self.dense(h1))</c>.</param>
/// <param name="Classes">Python class definitions the module uses, emitted once per model.py, in this order (a base before its subclass).</param>
/// <param name="WithoutActivation">The forward expression without the layer's output activation (the logits a fused loss wants); null when the layer has none.</param>
/// <param name="OutputMask">The padding mask the layer makes (Embedding with mask_zero: <c>h0 != 0</c>); null to keep the default
/// (the input's mask when the layer passes masks, else none).</param>
internal sealed record PyTorchCode(string? Module, string Forward, IReadOnlyList<PyTorchClass>? Classes = null, string? WithoutActivation = null, string? OutputMask = null);

/// <summary>A Python class the exported model.py defines (a layer's module type), by name and source.</summary>
internal sealed record PyTorchClass(string Name, string Source);

/// <summary>What a layer knows of its place in the generated forward pass.</summary>
/// <param name="Self">The expression for the layer's module, for example <c>self.dense</c>.</param>
/// <param name="Inputs">The Python variables holding its inputs (internal layout: images [N, C, H, W]).</param>
/// <param name="Mask">The variable holding its input's padding mask ([N, steps] booleans), or null when there is none.</param>
/// <param name="ModelClass">Defines a nested model's Python class and returns its name (for models used as layers).</param>
internal sealed record PyTorchContext(string Self, IReadOnlyList<string> Inputs, string? Mask, Func<Training.ITrainableModel, string> ModelClass)
{
    /// <summary>The single input's variable.</summary>
    public string X => Inputs[0];
}
