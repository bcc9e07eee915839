using TransferNotebooks.Charts;

namespace TransferNotebooks.Tests.Charts;

public class ChartImageTests
{
    [Fact]
    public void Png_export_renders_through_chromium_or_says_how_to_install_it()
    {
        var chart = Plot.LearningCurves(ChartJson.SampleHistory());
        var path = Path.Combine(Path.GetTempPath(), $"tn-chart-{Guid.NewGuid():N}.png");
        try
        {
            if (!ChartImage.IsAvailable)
            {
                var e = Assert.Throws<InvalidOperationException>(() => ChartImage.SavePng(chart, path));
                Assert.Contains("apt-get install -y chromium", e.Message);
                Assert.False(File.Exists(path));
                return;
            }
            ChartImage.SavePng(chart, path, width: 600, height: 300);
            var bytes = File.ReadAllBytes(path);
            Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, bytes[..4]);
            // PNG IHDR: width and height, big-endian, at bytes 16..23.
            Assert.Equal(600, (bytes[16] << 24) | (bytes[17] << 16) | (bytes[18] << 8) | bytes[19]);
            Assert.Equal(300, (bytes[20] << 24) | (bytes[21] << 16) | (bytes[22] << 8) | bytes[23]);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void Svg_export_writes_an_svg_document_when_chromium_is_present()
    {
        if (!ChartImage.IsAvailable) return; // covered by the PNG test's error branch
        var path = Path.Combine(Path.GetTempPath(), $"tn-chart-{Guid.NewGuid():N}.svg");
        try
        {
            ChartImage.SaveSvg(Plot.ConfusionMatrix(new long[] { 0, 1, 1 }, new long[] { 0, 1, 0 }), path);
            var svg = File.ReadAllText(path);
            Assert.StartsWith("<svg", svg);
            Assert.Contains("predicted label", svg);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void Without_chromium_the_error_says_how_to_install_it()
    {
        var path = Path.Combine(Path.GetTempPath(), $"tn-chart-{Guid.NewGuid():N}.png");
        ChartImage.SearchOverride = [];
        try
        {
            Assert.False(ChartImage.IsAvailable);
            var e = Assert.Throws<InvalidOperationException>(() => ChartImage.SavePng(Plot.LearningCurves(ChartJson.SampleHistory()), path));
            Assert.Contains("apt-get install -y chromium", e.Message);
            Assert.Contains("TN_CHROMIUM", e.Message);
            Assert.False(File.Exists(path));
        }
        finally { ChartImage.SearchOverride = null; }
    }
}
