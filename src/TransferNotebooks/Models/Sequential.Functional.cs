using TransferNotebooks.Layers;

namespace TransferNotebooks.Models;

// A Sequential model is a layer of functional models (Keras: a model is a layer): Call on a symbolic tensor.
public sealed partial class Sequential : INestedModel
{
    ModelLayer? asLayer;

    /// <summary>
    /// Calls the model on a symbolic tensor inside a functional model (Keras's <c>base_model(inputs)</c>); the model's weights are
    /// shared, not copied. <c>var x = baseModel.Call(inputs, training: false);</c>
    /// </summary>
    /// <exception cref="ArgumentException">The model cannot take the tensor's shape; the message names both.</exception>
    public KerasTensor Call(KerasTensor input) => ((INestedModel)this).AsLayer().Call(input);

    /// <summary>
    /// Calls the model on a symbolic tensor with a fixed mode: <c>training: false</c> keeps it in inference mode while the outer model
    /// trains (BatchNormalization keeps its moving statistics, Dropout is off), as Keras's <c>base_model(x, training=False)</c>.
    /// </summary>
    public KerasTensor Call(KerasTensor input, bool training) => ((INestedModel)this).AsLayer().Call(input, training);

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
