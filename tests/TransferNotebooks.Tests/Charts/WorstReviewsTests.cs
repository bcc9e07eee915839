using TransferNotebooks.Charts;

namespace TransferNotebooks.Tests.Charts;

public class WorstReviewsTests
{
    [Fact]
    public void The_most_wrong_reviews_come_first_with_escaped_text_and_probability()
    {
        string[] texts = ["a <b>great</b> film", "dull and long", "not bad at all", "terrible & boring", "fine"];
        long[] labels = [1, 0, 1, 0, 1];
        double[] p = [0.9, 0.2, 0.05, 0.97, 0.6];
        var table = ChartJson.Traces(Plot.WorstReviews(texts, labels, p, count: 3)).Single();
        Assert.Equal("table", (string)table!["type"]!);
        var cols = table["cells"]!["values"]!.AsArray();
        Assert.Equal(["negative", "positive", "positive"], cols[0]!.AsArray().Select(v => (string)v!));
        Assert.Equal(["0.970", "0.050", "0.600"], cols[1]!.AsArray().Select(v => (string)v!));
        Assert.Equal("terrible &amp; boring", (string)cols[3]![0]!);
        Assert.Equal(Math.Round(-Math.Log(0.03), 2).ToString("0.00", System.Globalization.CultureInfo.InvariantCulture), (string)cols[2]![0]!);
        Assert.Throws<ArgumentException>(() => Plot.WorstReviews(texts, labels, p.Take(2)));
    }
}
