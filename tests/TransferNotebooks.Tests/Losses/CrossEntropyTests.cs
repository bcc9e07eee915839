using TransferNotebooks.Losses;
using TransferNotebooks.Models;
using TransferNotebooks.Layers;
using static TransferNotebooks.Keras;
using static TorchSharp.torch;

namespace TransferNotebooks.Tests.Losses;

public class CrossEntropyTests
{
    [Fact]
    public void One_step_loss_and_gradient_match_a_hand_computation()
    {
        using var m = new Sequential(Dense(3, activation: "softmax", inputShape: [2]));
        m.Compile(optimizer: new TransferNotebooks.Optimizers.Sgd(learningRate: 0.1), loss: "sparse_categorical_crossentropy");
        var dense = (TransferNotebooks.Layers.Dense)m.Layers[0];
        double[,] w = { { 0.2, -0.5, 0.1 }, { 0.4, 0.3, -0.2 } };
        double[] b = { 0.05, -0.1, 0.0 };
        using (no_grad())
        {
            dense.Kernel.copy_(tensor(new float[] { 0.2f, -0.5f, 0.1f, 0.4f, 0.3f, -0.2f }).reshape(2, 3));
            dense.Bias!.copy_(tensor(new float[] { 0.05f, -0.1f, 0f }));
        }
        double[][] x = [[1.0, 2.0], [-1.0, 0.5]];
        long[] y = [2, 0];

        // By hand: logits, softmax, mean cross-entropy, dL/dW = x^T (p - onehot) / N.
        double loss = 0;
        var gradW = new double[2, 3];
        for (int n = 0; n < 2; n++)
        {
            var z = Enumerable.Range(0, 3).Select(j => x[n][0] * w[0, j] + x[n][1] * w[1, j] + b[j]).ToArray();
            double max = z.Max(), sum = z.Sum(v => Math.Exp(v - max));
            var p = z.Select(v => Math.Exp(v - max) / sum).ToArray();
            loss += -Math.Log(p[y[n]]) / 2;
            for (int i = 0; i < 2; i++)
                for (int j = 0; j < 3; j++)
                    gradW[i, j] += x[n][i] * (p[j] - (j == y[n] ? 1 : 0)) / 2;
        }

        using var xt = tensor(new float[] { 1, 2, -1, 0.5f }).reshape(2, 2);
        using var yt = tensor(y);
        m.ZeroGrad();
        var output = m.Forward(xt, training: true, forLoss: true);
        Assert.Equal(OutputForm.Logits, output.Form); // softmax + cross-entropy is fused
        using var lossT = m.Loss.Compute(yt, output.Output, output.Form);
        Assert.Equal(loss, lossT.item<float>(), 5);
        lossT.backward();
        var g = dense.Kernel.grad!.data<float>().ToArray();
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 3; j++)
                Assert.Equal(gradW[i, j], g[i * 3 + j], 5);

        m.Optimizer.Step(m.TrainableParameters);
        var after = dense.Kernel.data<float>().ToArray();
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 3; j++)
                Assert.Equal(w[i, j] - 0.1 * gradW[i, j], after[i * 3 + j], 5);
    }

    [Fact]
    public void Softmax_then_cross_entropy_equals_the_fused_form_and_stays_finite_for_extreme_logits()
    {
        var loss = new SparseCategoricalCrossentropy();
        using var logits = tensor(new float[] { 1.5f, -0.3f, 0.2f, -2f, 0.1f, 3f }).reshape(2, 3);
        using var labels = tensor(new long[] { 0, 2 });
        using var probs = logits.softmax(-1);
        using var viaProbabilities = loss.Compute(labels, probs, OutputForm.Probabilities);
        using var fused = loss.Compute(labels, logits, OutputForm.Logits);
        Assert.Equal(viaProbabilities.item<float>(), fused.item<float>(), 5);

        using var extreme = tensor(new float[] { 1000f, 0f, -1000f }).reshape(1, 3);
        using var wrong = tensor(new long[] { 2 });
        using var fusedExtreme = loss.Compute(wrong, extreme, OutputForm.Logits);
        Assert.True(float.IsFinite(fusedExtreme.item<float>()));
        Assert.Equal(2000f, fusedExtreme.item<float>(), 2); // -log softmax = 1000 - (-1000)

        var bce = new BinaryCrossentropy();
        using var z = tensor(new float[] { 80f, -80f, 0.3f }).reshape(3, 1);
        using var t = tensor(new float[] { 0f, 1f, 1f }).reshape(3, 1);
        using var bceFused = bce.PerSample(t, z, OutputForm.Logits);
        var v = bceFused.data<float>().ToArray();
        Assert.All(v, x => Assert.True(float.IsFinite(x)));
        Assert.Equal(80f, v[0], 3);
        Assert.Equal(Math.Log(1 + Math.Exp(-0.3)), v[2], 5);
    }
}
