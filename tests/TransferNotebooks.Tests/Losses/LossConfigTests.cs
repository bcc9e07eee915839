using TransferNotebooks.Losses;
using static TorchSharp.torch;

namespace TransferNotebooks.Tests.Losses;

/// <summary>Loss settings: one <see cref="Loss.WithFromLogits"/>, Keras class names declared on the losses, label checks per target kind.</summary>
public class LossConfigTests
{
    [Theory]
    [InlineData("sparse_categorical_crossentropy", "SparseCategoricalCrossentropy", true)]
    [InlineData("categorical_crossentropy", "CategoricalCrossentropy", true)]
    [InlineData("binary_crossentropy", "BinaryCrossentropy", true)]
    [InlineData("mse", "MeanSquaredError", false)]
    [InlineData("mae", "MeanAbsoluteError", false)]
    public void From_logits_applies_to_losses_with_a_fused_activation_only(string name, string kerasClass, bool takesLogits)
    {
        var loss = LossRegistry.Get(name);
        Assert.Equal(kerasClass, loss.KerasClassName);
        Assert.False(loss.FromLogits);
        var withLogits = loss.WithFromLogits();
        Assert.Equal(takesLogits, withLogits.FromLogits);
        Assert.Equal(loss.GetType(), withLogits.GetType());
        Assert.False(loss.FromLogits); // the original is unchanged
        Assert.Equal(new LossConfig(takesLogits), withLogits.GetConfig());
        var fromKeras = LossRegistry.FromKerasClass(kerasClass, new LossConfig(FromLogits: true));
        Assert.Equal(loss.GetType(), fromKeras.GetType());
        Assert.Equal(takesLogits, fromKeras.FromLogits);
    }

    [Fact]
    public void A_logits_loss_computes_from_logits()
    {
        var loss = new BinaryCrossentropy().WithFromLogits();
        using var y = tensor(new float[] { 1, 0 }).reshape(2, 1);
        using var z = tensor(new float[] { 0.4f, -1.2f }).reshape(2, 1);
        using var value = loss.Compute(y, z);
        double expected = (Math.Log(1 + Math.Exp(-0.4)) + Math.Log(1 + Math.Exp(-1.2))) / 2;
        Assert.Equal(expected, value.item<float>(), 5);
    }

    [Fact]
    public void Targets_are_checked_by_the_losses_rule()
    {
        var sparse = LossRegistry.Get("sparse_categorical_crossentropy");
        using var oneHot = tensor(new float[] { 0, 1, 1, 0 }).reshape(2, 2);
        Assert.Contains("look one-hot", Assert.Throws<ArgumentException>(() => sparse.ValidateTargets(oneHot, 2, [2], "out")).Message);
        using var tooBig = tensor(new long[] { 0, 3 });
        Assert.Contains("Label 3 is out of range for the output layer 'out' with 3 units", Assert.Throws<ArgumentException>(() => sparse.ValidateTargets(tooBig, 2, [3], "out")).Message);
        using var fine = tensor(new long[] { 0, 2 });
        sparse.ValidateTargets(fine, 2, [3], "out");
        Assert.Contains("classifier must output one vector", Assert.Throws<ArgumentException>(() => sparse.ValidateTargets(fine, 2, [4, 3], "out")).Message);

        var categorical = LossRegistry.Get("categorical_crossentropy");
        Assert.Contains("wants one-hot rows", Assert.Throws<ArgumentException>(() => categorical.ValidateTargets(fine, 2, [3], "out")).Message);
        Assert.Contains("One-hot labels have 2 columns but the output layer 'out' has 3 units", Assert.Throws<ArgumentException>(() => categorical.ValidateTargets(oneHot, 2, [3], "out")).Message);

        var binary = LossRegistry.Get("binary_crossentropy");
        Assert.Contains("Binary labels have 2 values per sample", Assert.Throws<ArgumentException>(() => binary.ValidateTargets(oneHot, 2, [1], "out")).Message);
        LossRegistry.Get("mse").ValidateTargets(oneHot, 2, [7], "out"); // values: no rule
    }
}
