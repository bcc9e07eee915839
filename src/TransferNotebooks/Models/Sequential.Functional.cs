using TransferNotebooks.Layers;

namespace TransferNotebooks.Models;

// A Sequential model is a layer of functional models (Keras: a model is a layer): Call on a symbolic tensor.
public sealed partial class Sequential : INestedModel
{
    ModelLayer? asLayer;

    IReadOnlyList<Layer> INestedModel.AllLayers => layers;
    Layer INestedModel.FirstLayer => layers.Count > 0 ? layers[0] : throw new InvalidOperationException($"Model '{Name}' has no layers.");

    int[] INestedModel.BuildFor(int[] inputShape)
    {
        if (layers.Count == 0) throw new InvalidOperationException($"Model '{Name}' has no layers.");
        if (!Built) Build(inputShape);
        else if (!InputShape!.SequenceEqual(inputShape))
            throw new ArgumentException($"Model '{Name}' takes inputs of shape {Layer.ShapeText(InputShape)}, not {Layer.ShapeText(inputShape)}.");
        return OutputShape!;
    }

    void INestedModel.SetTrainable(bool trainable)
    {
        if (trainable) Unfreeze(); else Freeze();
    }

    ModelLayer INestedModel.AsLayer()
    {
        if (layers.Count == 0) throw new InvalidOperationException($"Model '{Name}' has no layers to call.");
        // A layer added or popped since the last call: a fresh view, so that its weights are the model's current ones.
        if (asLayer is null || !asLayer.Registered.SequenceEqual(layers)) asLayer = new ModelLayer(this);
        return asLayer;
    }
}
