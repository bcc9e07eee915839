using TransferNotebooks.Training.Callbacks;

namespace TransferNotebooks.Tests.Training.Callbacks;

public class PathTemplateTests
{
    // Expected strings produced by Python 3's str.format with the same template and value.
    [Theory]
    [InlineData("{epoch:02d}", 3, "03")]
    [InlineData("{epoch}", 3, "3")]
    [InlineData("{epoch:5d}", 42, "   42")]
    [InlineData("{x:.3f}", 0.12345, "0.123")]
    [InlineData("{x:.2e}", 0.000123, "1.23e-04")]
    [InlineData("{x:e}", 12345.678, "1.234568e+04")]
    [InlineData("{x:>8.3f}", 3.14159, "   3.142")]
    [InlineData("{x:<8.2f}|", 3.14159, "3.14    |")]
    [InlineData("{x:^9.1f}", 3.14159, "   3.1   ")]
    [InlineData("{x:*<7.1f}", 2.26, "2.3****")]
    [InlineData("{x:+.2f}", 1.5, "+1.50")]
    [InlineData("{x:08.3f}", -3.14159, "-003.142")]
    [InlineData("{x:,.0f}", 1234567.0, "1,234,567")]
    [InlineData("{x:.1%}", 0.123, "12.3%")]
    [InlineData("{x:g}", 0.0001234, "0.0001234")]
    [InlineData("{x:g}", 1234567.0, "1.23457e+06")]
    [InlineData("{x:g}", 100.0, "100")]
    [InlineData("{x:.3g}", 0.000012345, "1.23e-05")]
    [InlineData("{x:G}", 1e20, "1E+20")]
    [InlineData("{x:.4}", 1.0, "1.0")]
    [InlineData("{x:.4}", 0.000012345, "1.234e-05")]
    [InlineData("{x}", 0.5, "0.5")]
    [InlineData("{x}", 1e-5, "1e-05")]
    [InlineData("{x}", 2.0, "2.0")]
    [InlineData("{x}", 1e16, "1e+16")]
    [InlineData("{x}", 0.30000000000000004, "0.30000000000000004")]
    [InlineData("{x:.2f}", double.NaN, "nan")]
    [InlineData("{x:.3f}", double.PositiveInfinity, "inf")]
    [InlineData("ckpt-{{x}}-{x:.1f}", 0.26, "ckpt-{x}-0.3")]
    public void Formats_like_python(string template, double value, string expected) =>
        Assert.Equal(expected, PathTemplate.Format(template, _ => value));

    [Theory]
    [InlineData("{x:.3q}")]
    [InlineData("{x")]
    [InlineData("x}")]
    [InlineData("{}")]
    [InlineData("{x:.f}")]
    public void Rejects_malformed_templates(string template) =>
        Assert.Throws<FormatException>(() => PathTemplate.Format(template, _ => 1.5));

    [Fact]
    public void An_integer_spec_on_a_fraction_is_an_error() =>
        Assert.Throws<FormatException>(() => PathTemplate.Format("{x:d}", _ => 1.5));
}
