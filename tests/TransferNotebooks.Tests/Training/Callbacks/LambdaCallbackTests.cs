using TransferNotebooks.Training.Callbacks;

namespace TransferNotebooks.Tests.Training.Callbacks;

public class LambdaCallbackTests
{
    [Fact]
    public void Every_hook_is_called_the_expected_number_of_times_in_order()
    {
        using var train = Small.Train(200);
        using var m = Small.Mlp();
        var calls = new List<string>();
        var cb = new LambdaCallback(
            onTrainBegin: _ => calls.Add("train+"),
            onTrainEnd: logs => calls.Add("train-" + (logs.TryGet("loss", out _) ? " loss" : "")),
            onEpochBegin: (e, _) => calls.Add($"epoch+{e}"),
            onEpochEnd: (e, logs) => calls.Add($"epoch-{e} {logs.Keys.Count()}"),
            onTrainBatchBegin: (b, _) => calls.Add("b+"),
            onTrainBatchEnd: (b, _) => calls.Add("b-"),
            onTestBegin: _ => calls.Add("test+"),
            onTestEnd: _ => calls.Add("test-"));
        m.Fit(train, epochs: 2, batchSize: 40, validationSplit: 0.2, callbacks: [cb], verbose: 0); // 160 train samples: 4 batches
        string[] epoch(int e) => [$"epoch+{e}", "b+", "b-", "b+", "b-", "b+", "b-", "b+", "b-", "test+", "test-", $"epoch-{e} 5"];
        Assert.Equal(["train+", .. epoch(0), .. epoch(1), "train- loss"], calls);
    }
}
