using TransferNotebooks.Tests.Training.Callbacks;
using TransferNotebooks.Training;
using TransferNotebooks.Training.Callbacks;
using TransferNotebooks.Transfer;

namespace TransferNotebooks.Tests.Transfer;

/// <summary>FineTune takes every argument of Fit (one <see cref="FitOptions"/> definition) and each one has Fit's effect.</summary>
public class FineTuneOptionsTests
{
    [Fact]
    public void ValidationSplit_is_made_once_and_both_phases_validate_on_the_same_last_rows()
    {
        using var train = Small.Train(200);
        using var m = Small.Mlp();
        int batches = 0;
        var result = m.FineTune(train, epochs: 1, freezeEpochs: 1, batchSize: 50, validationSplit: 0.25, seed: 1, verbose: 0,
            callbacks: [new LambdaCallback(onTrainBatchEnd: (_, _) => batches++)]);

        Assert.Equal(6, batches);                             // 150 training rows = 3 batches per epoch, two epochs
        Assert.True(result.HeadPhase.Contains("val_loss"));
        Assert.True(result.FullPhase.Contains("val_loss"));
        using var lastX = train.X.narrow(0, 150, 50);
        using var lastY = train.Y.narrow(0, 150, 50);
        Assert.Equal(m.Evaluate(lastX, lastY, batchSize: 50).Loss, result.FullPhase["val_loss"][^1], 5); // the last quarter, as Fit
    }

    [Fact]
    public void Shuffle_false_makes_the_seed_irrelevant_and_shuffle_true_does_not()
    {
        double Loss(bool shuffle, int seed)
        {
            using var train = Small.Train(200);
            using var m = Small.Mlp();
            return m.FineTune(train, epochs: 1, freezeEpochs: 1, batchSize: 20, shuffle: shuffle, seed: seed, verbose: 0).Combined["loss"][^1];
        }
        Assert.Equal(Loss(false, 1), Loss(false, 2));
        Assert.NotEqual(Loss(true, 1), Loss(true, 2));
    }

    [Fact]
    public void ClassWeight_weights_the_loss_as_in_Fit()
    {
        double FirstLoss(IReadOnlyDictionary<int, double>? weights)
        {
            using var train = Small.Train(200);
            using var m = Small.Mlp();
            return m.FineTune(train, epochs: 0, freezeEpochs: 1, batchSize: 50, shuffle: false, classWeight: weights, verbose: 0).HeadPhase["loss"][0];
        }
        double plain = FirstLoss(null), weighted = FirstLoss(new Dictionary<int, double> { [0] = 10.0 });
        Assert.NotEqual(plain, weighted);
        Assert.Equal(plain, FirstLoss(new Dictionary<int, double> { [0] = 1.0 }), 6); // weight 1 is no weight
    }

    [Fact]
    public void A_cancelled_token_stops_after_the_first_batch_and_skips_the_second_phase()
    {
        using var train = Small.Train(200);
        using var m = Small.Mlp();
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        int batches = 0;
        var trainable = m.Layers.Select(l => l.Trainable).ToArray();
        var result = m.FineTune(train, epochs: 2, freezeEpochs: 1, batchSize: 50, verbose: 0, cancellationToken: cts.Token,
            callbacks: [new LambdaCallback(onTrainBatchEnd: (_, _) => batches++)]);

        Assert.Equal(1, batches);
        Assert.Equal(1, result.HeadPhase.Count);
        Assert.Equal(0, result.FullPhase.Count);
        Assert.Equal(trainable, m.Layers.Select(l => l.Trainable));     // the model is left as it was
        Assert.Equal(1, m.Fit(train, epochs: 1, batchSize: 50, verbose: 0).Count); // and usable
    }

    [Fact]
    public void InitialEpoch_counts_the_head_epochs_first()
    {
        using var train = Small.Train(100);
        using var m = Small.Mlp();
        var result = m.FineTune(train, epochs: 2, freezeEpochs: 1, initialEpoch: 1, batchSize: 50, verbose: 0);
        Assert.Equal(0, result.HeadPhase.Count);
        Assert.Equal([1, 2], result.FullPhase.Epochs);
        Assert.Throws<ArgumentOutOfRangeException>(() => m.FineTune(train, epochs: 2, freezeEpochs: 1, initialEpoch: 3, verbose: 0));
    }

    [Fact]
    public void Fit_and_FineTune_take_one_FitOptions_value_with_the_same_effect_as_the_named_arguments()
    {
        History Named(bool fineTune)
        {
            using var train = Small.Train(200);
            using var m = Small.Mlp();
            return fineTune
                ? m.FineTune(train, epochs: 1, freezeEpochs: 1, batchSize: 50, validationSplit: 0.2, seed: 3, verbose: 0).Combined
                : m.Fit(train, epochs: 2, batchSize: 50, validationSplit: 0.2, seed: 3, verbose: 0);
        }
        History WithOptions(bool fineTune)
        {
            using var train = Small.Train(200);
            using var m = Small.Mlp();
            return fineTune
                ? m.FineTune(train, FitOptions.From(epochs: 1, batchSize: 50, validationSplit: 0.2, seed: 3, verbose: 0), freezeEpochs: 1).Combined
                : m.Fit(train, FitOptions.From(epochs: 2, batchSize: 50, validationSplit: 0.2, seed: 3, verbose: 0));
        }
        foreach (var fineTune in new[] { false, true })
        {
            var (a, b) = (Named(fineTune), WithOptions(fineTune));
            Assert.Equal(a["loss"], b["loss"]);
            Assert.Equal(a["val_loss"], b["val_loss"]);
        }
    }

    [Fact]
    public void FitOptions_From_has_Fit_defaults_and_observes_the_host_stop_button_when_no_token_is_given()
    {
        var o = FitOptions.From();
        var plain = new FitOptions();
        Assert.Equal((plain.Epochs, plain.BatchSize, plain.Shuffle, plain.Verbose, plain.ValidationSplit), (o.Epochs, o.BatchSize, o.Shuffle, o.Verbose, o.ValidationSplit));
        Assert.Equal(TransferNotebooks.Hosting.Interruption.Token, o.CancellationToken);
        using var cts = new CancellationTokenSource();
        Assert.Equal(cts.Token, FitOptions.From(cancellationToken: cts.Token).CancellationToken);
    }
}
