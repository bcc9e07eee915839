namespace TransferNotebooks.Training.Callbacks;

/// <summary>
/// A callback made of delegates, one per hook, any of which may be left out (Keras's <c>LambdaCallback</c>).
/// </summary>
/// <example>
/// C#: <c>new LambdaCallback(onEpochEnd: (epoch, logs) =&gt; Console.WriteLine(logs["loss"]))</c>;
/// F#: <c>LambdaCallback(onEpochEnd = fun epoch logs -&gt; printfn "%f" logs["loss"])</c>.
/// </example>
/// <param name="onTrainBegin">Called when training starts.</param>
/// <param name="onTrainEnd">Called when training ends.</param>
/// <param name="onEpochBegin">Called with the 0-based epoch when it starts.</param>
/// <param name="onEpochEnd">Called with the 0-based epoch and its logs when it ends.</param>
/// <param name="onTrainBatchBegin">Called with the batch index when it starts.</param>
/// <param name="onTrainBatchEnd">Called with the batch index and the running logs (reading them costs a read of the loss) when it ends.</param>
/// <param name="onTestBegin">Called when evaluation starts.</param>
/// <param name="onTestEnd">Called with the evaluation's logs when it ends.</param>
public sealed class LambdaCallback(
    Action<Logs>? onTrainBegin = null,
    Action<Logs>? onTrainEnd = null,
    Action<int, Logs>? onEpochBegin = null,
    Action<int, Logs>? onEpochEnd = null,
    Action<int, Logs>? onTrainBatchBegin = null,
    Action<int, Logs>? onTrainBatchEnd = null,
    Action<Logs>? onTestBegin = null,
    Action<Logs>? onTestEnd = null) : Callback
{
    /// <inheritdoc />
    public override void OnTrainBegin(Logs logs) => onTrainBegin?.Invoke(logs);
    /// <inheritdoc />
    public override void OnTrainEnd(Logs logs) => onTrainEnd?.Invoke(logs);
    /// <inheritdoc />
    public override void OnEpochBegin(int epoch, Logs logs) => onEpochBegin?.Invoke(epoch, logs);
    /// <inheritdoc />
    public override void OnEpochEnd(int epoch, Logs logs) => onEpochEnd?.Invoke(epoch, logs);
    /// <inheritdoc />
    public override void OnTrainBatchBegin(int batch, Logs logs) => onTrainBatchBegin?.Invoke(batch, logs);
    /// <inheritdoc />
    public override void OnTrainBatchEnd(int batch, Logs logs) => onTrainBatchEnd?.Invoke(batch, logs);
    /// <inheritdoc />
    public override void OnTestBegin(Logs logs) => onTestBegin?.Invoke(logs);
    /// <inheritdoc />
    public override void OnTestEnd(Logs logs) => onTestEnd?.Invoke(logs);
}
