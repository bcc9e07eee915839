using TransferNotebooks.Display.Formatters;
using TransferNotebooks.Hosting;
using TransferNotebooks.Training;
using TransferNotebooks.Training.Callbacks;

namespace TransferNotebooks.Tests.Hosting;

/// <summary>One number format for progress, histories, evaluation results and tables.</summary>
public class NumberFormatTests
{
    [Theory]
    [InlineData(0.123456, "0.1235")]
    [InlineData(0.5, "0.5000")]
    [InlineData(2.0, "2.0000")]
    [InlineData(0.0, "0.0000")]
    [InlineData(1.23456e10, "1.235e+10")]
    [InlineData(1e-5, "1.000e-05")]
    [InlineData(-0.25, "-0.2500")]
    [InlineData(double.NaN, "NaN")]
    public void Values_print_as_Keras_prints_them(double v, string text)
    {
        Assert.Equal(text, NumberFormat.Value(v));
        Assert.Equal(text, ProgressBar.Number(v)); // the progress bar uses it
    }

    [Fact]
    public void Table_cells_use_the_same_format_with_counts_and_blanks()
    {
        Assert.Equal("0.9312", NumberFormat.Cell(0.9312));
        Assert.Equal("0.5000", NumberFormat.Cell(0.5f));
        Assert.Equal("1,234", NumberFormat.Cell(1234.0));
        Assert.Equal("100,480", NumberFormat.Cell(100480L));
        Assert.Equal("", NumberFormat.Cell(double.NaN));
        Assert.Equal("", NumberFormat.Cell(null));
        Assert.Equal("yes", NumberFormat.Cell(true));
        Assert.Equal("dense", NumberFormat.Cell("dense"));
        Assert.Equal(NumberFormat.Cell(0.25), HtmlTable.Cell(0.25)); // the Display tables are the same code
        Assert.Contains("<td>0.2500</td>", HtmlTable.Render(["", "value"], [["loss", 0.25]]));
    }

    [Fact]
    public void History_and_evaluation_text_use_the_same_format()
    {
        var h = new History();
        h.Append(0, new Dictionary<string, double> { ["loss"] = 0.123456, ["accuracy"] = 0.5 });
        var text = h.ToString();
        Assert.Contains("0.1235", text);
        Assert.Contains("0.5000", text);
        var eval = new EvaluationResult(new Dictionary<string, double> { ["loss"] = 1e-5, ["accuracy"] = 0.9312 }, 10);
        Assert.Equal("loss: 1.000e-05  accuracy: 0.9312  (10 samples)", eval.ToString());
    }

    [Theory]
    [InlineData(12.34, "12.3s")]
    [InlineData(75, "1:15")]
    [InlineData(3725, "1:02:05")]
    public void Durations(double seconds, string text) => Assert.Equal(text, NumberFormat.Seconds(seconds));
}
