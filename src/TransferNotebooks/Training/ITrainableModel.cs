using TransferNotebooks.Losses;
using TransferNotebooks.Metrics;
using TransferNotebooks.Optimizers;
using static TorchSharp.torch;

namespace TransferNotebooks.Training;

/// <summary>The model output the loop hands to the loss: probabilities, or logits when the loss can fuse the final activation.</summary>
/// <param name="Output">The tensor.</param>
/// <param name="Form">What it holds.</param>
/// <param name="FinalActivation">The activation that turns logits into probabilities (for metrics), when <paramref name="Form"/> is logits.</param>
public readonly record struct ModelOutput(Tensor Output, OutputForm Form, Func<Tensor, Tensor>? FinalActivation);

/// <summary>
/// What the training loop needs from a model. Models implement it (Sequential does); the loop and callbacks know only this,
/// so the training layer never depends on the models layer.
/// </summary>
public interface ITrainableModel
{
    /// <summary>The compiled loss.</summary>
    Loss Loss { get; }
    /// <summary>The compiled optimizer.</summary>
    Optimizer Optimizer { get; }
    /// <summary>Fresh metric objects for one run (training or validation).</summary>
    IReadOnlyList<Metric> CreateMetrics();
    /// <summary>
    /// Converts user data to what the first layer takes (layout, dtype). The loop calls it on each batch, so data can stay
    /// compact (uint8 images, uint8 multi-hot) and only one batch at a time exists as float32.
    /// </summary>
    Tensor PrepareInput(Tensor x);
    /// <summary>Checks inputs and labels before any training happens; throws with a message that names the problem and the fix.</summary>
    void Validate(Tensor x, Tensor? y);
    /// <summary>Runs the model on a prepared batch; with <paramref name="forLoss"/> it may return logits for a fused loss.</summary>
    ModelOutput Forward(Tensor x, bool training, bool forLoss);
    /// <summary>The parameters to update this step, with their learning-rate scales (frozen layers excluded).</summary>
    IReadOnlyList<ParameterGroup> TrainableParameterGroups();
    /// <summary>Clears gradients.</summary>
    void ZeroGrad();
    /// <summary>Set by callbacks (EarlyStopping, TerminateOnNaN) to end training after the current epoch or batch.</summary>
    bool StopTraining { get; set; }
    /// <summary>A deep copy of every weight (parameters and running statistics), by qualified name.</summary>
    IReadOnlyDictionary<string, Tensor> SnapshotWeights();
    /// <summary>Restores weights from <see cref="SnapshotWeights"/>.</summary>
    void RestoreWeights(IReadOnlyDictionary<string, Tensor> snapshot);
    /// <summary>Saves the whole model (architecture, weights, compile settings) atomically.</summary>
    void Save(string path);
    /// <summary>Saves only the weights atomically.</summary>
    void SaveWeights(string path);
}
