using SkiaSharp;
using TransferNotebooks.Charts;
using TransferNotebooks.Data;

namespace TransferNotebooks.Tests.Charts;

/// <summary>Colour photos in an image grid: drawn from PNG data URIs that hold the exact pixels, small enough for a notebook.</summary>
public class ImageGridTests
{
    [Fact]
    public void Colour_photos_travel_as_lossless_png_and_stay_small()
    {
        var (train, _) = Hymenoptera.LoadData(dataDir: Fixtures.Dir("hymenoptera"), height: 64, width: 64, resizeTo: 73);
        var chart = Plot.ImageGrid(train, count: 6, columns: 3, classNames: ["ants", "bees"]);
        var traces = ChartJson.Traces(chart);
        Assert.Equal(6, traces.Count);
        var pixels = train.X.to_type(TorchSharp.torch.ScalarType.Byte);
        for (int i = 0; i < traces.Count; i++)
        {
            Assert.Equal("image", (string)traces[i]["type"]!);
            Assert.Null(traces[i]["z"]);
            var source = (string)traces[i]["source"]!;
            const string prefix = "data:image/png;base64,";
            Assert.StartsWith(prefix, source);
            using var decoded = SKBitmap.Decode(Convert.FromBase64String(source[prefix.Length..]));
            Assert.Equal(64, decoded.Width);
            Assert.Equal(64, decoded.Height);
            var expected = pixels[i].data<byte>().ToArray();
            for (int p = 0; p < 64 * 64; p++)
            {
                var colour = decoded.GetPixel(p % 64, p / 64);
                Assert.Equal((expected[3 * p], expected[3 * p + 1], expected[3 * p + 2]), (colour.Red, colour.Green, colour.Blue));
            }
        }
        // The figure JSON as the notebook stores it: a 64 x 64 photo as a z array of numbers was about 90 KB.
        Assert.True(ChartHtml.FigureJson(chart).Length < 6 * 25_000, $"figure JSON is {ChartHtml.FigureJson(chart).Length} characters");
    }

    [Fact]
    public void Pixels_of_the_wrong_size_are_refused_with_the_sizes()
    {
        var error = Assert.Throws<ArgumentException>(() => PngDataUri.FromRgb(new byte[10], 2, 2));
        Assert.Contains("2 x 2 x 3 = 12 bytes, got 10", error.Message);
    }
}
