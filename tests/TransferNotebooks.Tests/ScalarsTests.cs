using static TorchSharp.torch;

namespace TransferNotebooks.Tests;

public class ScalarsTests
{
    [Fact]
    public void One_as_alpha_adds_like_plain_add_for_float_and_integer_tensors()
    {
        using var f = tensor(new float[] { 1.5f, -2f });
        using var fSum = f.add(f, Scalars.One);
        Assert.Equal(new float[] { 3f, -4f }, fSum.data<float>().ToArray());
        using var i = tensor(new long[] { 3, 4 });
        i.add_(i, Scalars.One); // a floating alpha would be refused here
        Assert.Equal(new long[] { 6, 8 }, i.data<long>().ToArray());
    }
}
