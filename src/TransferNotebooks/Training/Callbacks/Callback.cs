namespace TransferNotebooks.Training.Callbacks;

/// <summary>
/// The base of every callback (Keras's <c>keras.callbacks.Callback</c>): hooks called by the one training loop at the start
/// and end of training, of each epoch and of each batch, and around evaluation. Override what you need.
/// </summary>
public abstract class Callback
{
    /// <summary>The model being trained (set by the loop before <see cref="OnTrainBegin"/>).</summary>
    public ITrainableModel Model { get; internal set; } = null!;

    /// <summary>The run's parameters (epochs, steps, ...).</summary>
    public TrainingParams Params { get; internal set; } = null!;

    /// <summary>Training starts.</summary>
    public virtual void OnTrainBegin(Logs logs) { }
    /// <summary>Training ends (also after an early stop or a cancellation).</summary>
    public virtual void OnTrainEnd(Logs logs) { }
    /// <summary>An epoch starts.</summary>
    public virtual void OnEpochBegin(int epoch, Logs logs) { }
    /// <summary>An epoch ends; <paramref name="logs"/> holds its loss, metrics and validation values.</summary>
    public virtual void OnEpochEnd(int epoch, Logs logs) { }
    /// <summary>A training batch starts.</summary>
    public virtual void OnTrainBatchBegin(int batch, Logs logs) { }
    /// <summary>A training batch ends; <paramref name="logs"/> holds the running epoch averages (computed lazily).</summary>
    public virtual void OnTrainBatchEnd(int batch, Logs logs) { }
    /// <summary>Evaluation (validation or <c>Evaluate</c>) starts.</summary>
    public virtual void OnTestBegin(Logs logs) { }
    /// <summary>Evaluation ends.</summary>
    public virtual void OnTestEnd(Logs logs) { }
}
