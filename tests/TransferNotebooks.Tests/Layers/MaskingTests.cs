using TransferNotebooks.Models;
using static TransferNotebooks.Keras;
using static TorchSharp.torch;

namespace TransferNotebooks.Tests.Layers;

public class MaskingTests
{
    /// <summary>The same embedding and recurrent weights in a model for padded input (masked) and one for the bare tokens.</summary>
    static (Sequential Padded, Sequential Bare) Pair(string recurrent, int padTo, int bareLength)
    {
        Func<TransferNotebooks.Layers.Layer> layer = recurrent == "LSTM" ? () => LSTM(3) : () => GRU(3);
        manual_seed(21);
        var padded = new Sequential(Embedding(20, 4, inputLength: padTo, maskZero: true), layer(), Dense(2, activation: "softmax"));
        var bare = new Sequential(Embedding(20, 4, inputLength: bareLength), layer(), Dense(2, activation: "softmax"));
        CopyWeights(padded, bare);
        return (padded, bare);
    }

    static void CopyWeights(Sequential from, Sequential to)
    {
        using var noGrad = no_grad();
        for (int i = 0; i < from.Layers.Count; i++)
        {
            var target = to.Layers[i].named_parameters().ToDictionary(p => p.name, p => p.parameter);
            foreach (var (name, value) in from.Layers[i].named_parameters()) target[name].copy_(value);
        }
    }

    [Theory]
    [InlineData("LSTM")]
    [InlineData("GRU")]
    public void Padding_is_invisible_to_a_recurrent_layer_behind_a_masking_embedding(string recurrent)
    {
        var (padded, bare) = Pair(recurrent, 8, 3);
        using (padded)
        using (bare)
        {
            using var tokens = tensor(new long[] { 5, 7, 9 }).reshape(1, 3);
            using var pre = tensor(new long[] { 0, 0, 0, 0, 0, 5, 7, 9 }).reshape(1, 8);
            using var post = tensor(new long[] { 5, 7, 9, 0, 0, 0, 0, 0 }).reshape(1, 8);
            using var expected = bare.Predict(tokens);
            using var fromPre = padded.Predict(pre);
            using var fromPost = padded.Predict(post);
            Assert.True(fromPre.allclose(expected, 1e-5, 1e-6), "pre-padding changed the prediction");
            Assert.True(fromPost.allclose(expected, 1e-5, 1e-6), "post-padding changed the prediction");
        }
    }

    [Fact]
    public void Average_pooling_behind_a_masking_embedding_averages_real_tokens_and_a_plain_embedding_does_not()
    {
        manual_seed(2);
        using var masked = new Sequential(Embedding(10, 3, inputLength: 4, maskZero: true), GlobalAveragePooling1D());
        using var plain = new Sequential(Embedding(10, 3, inputLength: 4), GlobalAveragePooling1D());
        CopyWeights(masked, plain);
        using var ids = tensor(new long[] { 0, 0, 4, 6 }).reshape(1, 4);
        var table = ((TransferNotebooks.Layers.Embedding)masked.Layers[0]).Embeddings;
        using var realMean = table.index_select(0, tensor(new long[] { 4, 6 })).mean([0]).unsqueeze(0);
        using var allMean = table.index_select(0, tensor(new long[] { 0, 0, 4, 6 })).mean([0]).unsqueeze(0);
        using var a = masked.Predict(ids);
        using var b = plain.Predict(ids);
        Assert.True(a.allclose(realMean, 1e-6, 1e-7));
        Assert.True(b.allclose(allMean, 1e-6, 1e-7));
    }

    [Fact]
    public void A_layer_that_changes_the_steps_ends_the_mask()
    {
        manual_seed(8);
        using var model = new Sequential(Embedding(10, 3, inputLength: 6, maskZero: true), Conv1D(2, 3), GlobalAveragePooling1D());
        using var ids = tensor(new long[] { 0, 0, 0, 4, 6, 1 }).reshape(1, 6);
        using var convolved = model.Layers[1].Call(model.Layers[0].Call(ids, false), false);
        using var plainMean = convolved.mean([1]);
        using var y = model.Predict(ids);
        Assert.True(y.allclose(plainMean, 1e-6, 1e-7), "after Conv1D the average must cover every output step");
    }

    [Fact]
    public void A_masked_model_trains_and_keeps_mask_zero_through_both_file_formats()
    {
        manual_seed(12);
        using var m = new Sequential(Embedding(30, 4, inputLength: 7, maskZero: true), GRU(5, returnSequences: true), GlobalAveragePooling1D(), Dense(1, activation: "sigmoid"));
        m.Compile(optimizer: "adam", loss: "binary_crossentropy");
        using var x = randint(0, 30, [10, 7], dtype: ScalarType.Int64);
        x.narrow(1, 0, 3).zero_(); // pre-padding
        using var y = randint(0, 2, [10], dtype: ScalarType.Float32);
        var h = m.Fit(x, y, epochs: 3, batchSize: 5, seed: 1, verbose: 0);
        Assert.True(h["loss"].All(double.IsFinite));
        RoundTrip.BothFormats(m, x, (back, file) => Assert.True(Assert.IsType<TransferNotebooks.Layers.Embedding>(back.Layers[0]).MaskZero, file));
    }
}
