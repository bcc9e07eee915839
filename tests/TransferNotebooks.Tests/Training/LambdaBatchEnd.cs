using TransferNotebooks.Training;
using TransferNotebooks.Training.Callbacks;

namespace TransferNotebooks.Training.Callbacks;

/// <summary>Test helper: counts batches and runs an action at each batch end.</summary>
public sealed class LambdaBatchEnd(Action<int, Logs> action) : Callback
{
    public int Batches { get; private set; }
    public override void OnTrainBatchEnd(int batch, Logs logs)
    {
        Batches++;
        action(batch, logs);
    }
}
