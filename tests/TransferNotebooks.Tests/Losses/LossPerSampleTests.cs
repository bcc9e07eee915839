using TransferNotebooks.Losses;
using static TorchSharp.torch;

namespace TransferNotebooks.Tests.Losses;

/// <summary>Keras's per-sample reduction (the mean over every axis but the first) for one- and several-value outputs.</summary>
public class LossPerSampleTests
{
    public static TheoryData<string> Losses => new() { "binary_crossentropy", "mean_squared_error", "mean_absolute_error" };

    [Theory]
    [MemberData(nameof(Losses))]
    public void One_output_per_sample_gives_the_per_element_values_and_their_gradient(string name)
    {
        manual_seed(9);
        Loss loss = name;
        using var labels = rand(6); // [N] targets for an [N, 1] output, as a Dense(1) model trains
        using var z = randn(6, 1).requires_grad_();
        using var perSample = loss.PerSample(labels, z, loss.FusedActivation is null ? OutputForm.Probabilities : OutputForm.Logits);
        Assert.Equal(new long[] { 6 }, perSample.shape);
        using var target = labels.reshape(6, 1);
        using var expected = name switch
        {
            "binary_crossentropy" => nn.functional.binary_cross_entropy_with_logits(z, target, reduction: nn.Reduction.None),
            "mean_squared_error" => (z - target).square(),
            _ => (z - target).abs(),
        };
        Assert.True(perSample.allclose(expected.reshape(6), rtol: 1e-6, atol: 1e-7));
        using var mean = loss.Compute(labels, z, loss.FusedActivation is null ? OutputForm.Probabilities : OutputForm.Logits);
        using var grad = autograd.grad([mean], [z])[0];
        using var expectedMean = expected.mean();
        using var expectedGrad = autograd.grad([expectedMean], [z])[0];
        Assert.True(grad.allclose(expectedGrad, rtol: 1e-6, atol: 1e-8));
    }

    [Theory]
    [MemberData(nameof(Losses))]
    public void Several_outputs_per_sample_are_averaged_within_the_sample(string name)
    {
        manual_seed(10);
        Loss loss = name;
        using var y = rand(4, 3);
        using var z = randn(4, 3);
        using var perSample = loss.PerSample(y, z, loss.FusedActivation is null ? OutputForm.Probabilities : OutputForm.Logits);
        using var perElement = name switch
        {
            "binary_crossentropy" => nn.functional.binary_cross_entropy_with_logits(z, y, reduction: nn.Reduction.None),
            "mean_squared_error" => (z - y).square(),
            _ => (z - y).abs(),
        };
        using var expected = perElement.mean([1]);
        Assert.True(perSample.allclose(expected, rtol: 1e-6, atol: 1e-7));
    }
}
