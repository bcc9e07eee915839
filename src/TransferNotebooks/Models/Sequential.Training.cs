using System.Runtime.CompilerServices;
using TransferNotebooks.Layers;
using TransferNotebooks.Losses;
using TransferNotebooks.Optimizers;
using TransferNotebooks.Training;
using static TorchSharp.torch;

namespace TransferNotebooks.Models;

// What the training loop asks of a model (ITrainableModel): input preparation and validation, the forward pass with mask routing and
// loss fusion, the trainable parameters, and weight snapshots. The Keras surface (Fit, Evaluate, Predict, ...) is in KerasModel.cs (shared with Functional) and Sequential.cs.
public sealed partial class Sequential
{
    /// <summary>Runs the model on a batch in Keras layout (images channels last); returns its outputs. Use inside your own loop (GradientTape pattern).</summary>
    public override Tensor Call(Tensor x, bool training = false)
    {
        using var scope = NewDisposeScope();
        if (layers.Count > 0) layers[0].CheckInput(x);
        var prepared = PrepareInput(x);
        return Forward(prepared, training, forLoss: false).Output.MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override ModelOutput Forward(Tensor x, bool training, bool forLoss)
    {
        if (!Built) throw new InvalidOperationException("The model is not built: give the first layer an inputShape, call Build(shape), or pass data to Fit/Predict first.");
        var h = x;
        Tensor? mask = null; // Keras's padding mask, from a layer that makes one (Embedding(maskZero: true)) while layers keep the steps
        for (int i = 0; i < layers.Count - 1; i++)
        {
            var layer = layers[i];
            var next = layer.Call(h, training && Trains(layer), mask);
            mask = layer.ComputeMask(h, mask);
            h = next;
        }
        var last = layers[^1];
        bool lastTrains = training && Trains(last);
        return ModelCore.Output(compiled.Loss, forLoss, last, () => last.Call(h, lastTrains, mask), () => last.CallWithoutActivation(h, lastTrains));
    }

    /// <inheritdoc />
    public override Tensor PrepareInput(Tensor x)
    {
        if (layers.Count == 0) throw new InvalidOperationException("The model has no layers. Add layers before training or predicting.");
        return ModelCore.PrepareInput(x, layers[0], InputShape, given => { Build(given); return InputShape!; });
    }

    /// <inheritdoc />
    public override void Validate(Tensor x, Tensor? y) =>
        ModelCore.Validate(x, y, compiled.Loss, t => { if (layers.Count > 0) layers[0].CheckInput(t); },
            t => { if (!Built) PrepareInput(t.narrow(0, 0, 1)).Dispose(); }, () => OutputShape, layers.Count > 0 ? layers[^1].Name : null);



}
