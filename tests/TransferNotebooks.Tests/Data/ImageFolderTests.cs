using SkiaSharp;
using TransferNotebooks.Data;
using static TorchSharp.torch;

namespace TransferNotebooks.Tests.Data;

public class ImageFolderTests
{
    static void Solid(string path, int w, int h, SKColor color, SKEncodedImageFormat format)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var bitmap = new SKBitmap(w, h);
        bitmap.Erase(color);
        using var image = SKImage.FromBitmap(bitmap);
        using var encoded = image.Encode(format, 95);
        File.WriteAllBytes(path, encoded.ToArray());
    }

    [Fact]
    public void Loads_class_subfolders_resized_channels_last()
    {
        using var dir = TestData.Temp();
        Solid(dir.Sub("cats", "1.png"), 40, 30, new SKColor(255, 0, 0), SKEncodedImageFormat.Png);
        Solid(dir.Sub("cats", "2.PNG"), 12, 12, new SKColor(255, 0, 0), SKEncodedImageFormat.Png);
        Solid(dir.Sub("dogs", "1.jpg"), 64, 48, new SKColor(0, 0, 255), SKEncodedImageFormat.Jpeg);
        File.WriteAllText(dir.Sub("dogs", "notes.txt"), "not an image");
        Directory.CreateDirectory(dir.Sub("empty"));
        using var data = ImageFolder.LoadData(dir.Path, height: 16, width: 20);
        Assert.Equal(["cats", "dogs"], data.ClassNames);
        Assert.Equal(new long[] { 3, 16, 20, 3 }, data.Data.X.shape);
        Assert.Equal(ScalarType.Float32, data.Data.X.dtype);
        Assert.Equal([0L, 0, 1], data.Data.Labels);
        var red = data.Data.X[0].mean([0, 1]).data<float>().ToArray();
        Assert.Equal(255f, red[0], 0.5f);
        Assert.Equal(0f, red[2], 0.5f);
        var blue = data.Data.X[2].mean([0, 1]).data<float>().ToArray();
        Assert.True(blue[2] > 240 && blue[0] < 15, $"jpeg blue came back as [{string.Join(", ", blue)}]");
        Assert.EndsWith("1.jpg", data.Files[2]);
        var (images, classNames) = ImageFolder.Load(dataDir: dir.Path, height: 16, width: 20);
        using (images)
        {
            Assert.Equal(["cats", "dogs"], classNames);
            Assert.Equal(data.Data.Labels, images.Labels);
        }
    }

    [Fact]
    public void Grayscale_and_scale_give_one_channel_between_0_and_1()
    {
        using var dir = TestData.Temp();
        Solid(dir.Sub("a", "x.png"), 8, 8, new SKColor(255, 255, 255), SKEncodedImageFormat.Png);
        Solid(dir.Sub("b", "y.png"), 8, 8, new SKColor(0, 255, 0), SKEncodedImageFormat.Png);
        using var data = ImageFolder.LoadData(dir.Path, height: 4, width: 4, grayscale: true, scale: true);
        Assert.Equal(new long[] { 2, 4, 4, 1 }, data.Data.X.shape);
        Assert.Equal(1f, data.Data.X[0].max().item<float>(), 3);
        Assert.Equal(150f / 255f, data.Data.X[1].max().item<float>(), 3); // PIL "L": 0.587 * 255 rounds to 150
    }

    [Fact]
    public void Missing_folder_empty_folder_and_corrupt_file_are_clear_errors()
    {
        using var dir = TestData.Temp();
        Assert.Throws<DirectoryNotFoundException>(() => ImageFolder.LoadData(dir.Sub("nope")));
        var empty = Assert.Throws<InvalidDataException>(() => ImageFolder.LoadData(dir.Path));
        Assert.Contains("subfolder", empty.Message);
        Directory.CreateDirectory(dir.Sub("c"));
        File.WriteAllText(dir.Sub("c", "broken.png"), "definitely not a png");
        var e = Assert.Throws<InvalidDataException>(() => ImageFolder.LoadData(dir.Path, 8, 8));
        Assert.Contains("broken.png", e.Message);
    }

    /// <summary>An 80 x 40 PNG: red left quarter, green middle half, blue right quarter.</summary>
    static void Bands(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var bitmap = new SKBitmap(80, 40);
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.DrawRect(0, 0, 20, 40, new SKPaint { Color = new SKColor(255, 0, 0) });
            canvas.DrawRect(20, 0, 40, 40, new SKPaint { Color = new SKColor(0, 255, 0) });
            canvas.DrawRect(60, 0, 20, 40, new SKPaint { Color = new SKColor(0, 0, 255) });
        }
        using var image = SKImage.FromBitmap(bitmap);
        using var encoded = image.Encode(SKEncodedImageFormat.Png, 100);
        File.WriteAllBytes(path, encoded.ToArray());
    }

    [Fact]
    public void Crop_to_aspect_ratio_and_resize_to_keep_the_centre_while_the_default_stretches()
    {
        using var dir = TestData.Temp();
        Bands(dir.Sub("bands", "wide photo.png"));
        using var stretched = ImageFolder.LoadData(dir.Path, 10, 10);
        using var cropped = ImageFolder.LoadData(dir.Path, 10, 10, cropToAspectRatio: true);
        using var torchvision = ImageFolder.LoadData(dir.Path, 16, 16, resizeTo: 20);
        var corner = stretched.Data.X[0, 5, 0].data<float>().ToArray();
        Assert.True(corner[0] > 200, $"stretching keeps the red left edge, got [{string.Join(", ", corner)}]");
        foreach (var (data, size) in new[] { (cropped, 10), (torchvision, 16) })
        {
            using var x = data.Data.X[0];
            using var green = x.select(2, 1);
            using var redBlue = x.select(2, 0) + x.select(2, 2);
            Assert.True(green.min().item<float>() > 240 && redBlue.max().item<float>() < 15, $"{size} x {size}: only the green centre must remain");
        }
        Assert.Equal(new long[] { 1, 16, 16, 3 }, torchvision.Data.X.shape);
        Assert.Throws<ArgumentOutOfRangeException>(() => ImageFolder.LoadData(dir.Path, 224, 224, resizeTo: 200));
    }

    [Fact]
    public void The_official_gif_placeholder_and_odd_names_load_and_unreadable_files_can_be_skipped_with_a_warning()
    {
        using var dir = TestData.Temp();
        var ants = Path.Combine(Fixtures.Dir("hymenoptera"), "train", "ants");
        Directory.CreateDirectory(dir.Sub("ants"));
        foreach (var name in new[] { "imageNotFound.gif", "ant photos.jpg", "formica.jpeg" }) File.Copy(Path.Combine(ants, name), dir.Sub("ants", name));
        File.WriteAllBytes(dir.Sub("ants", "empty.JPG"), []);
        var e = Assert.Throws<InvalidDataException>(() => ImageFolder.LoadData(dir.Path, 32, 32));
        Assert.Contains("empty.JPG", e.Message);
        var logged = new List<string>();
        var log = DataCache.Log;
        DataCache.Log = logged.Add;
        try
        {
            using var data = ImageFolder.LoadData(dir.Path, 32, 32, skipUnreadable: true);
            Assert.Equal(["ant photos.jpg", "formica.jpeg", "imageNotFound.gif"], data.Files.Select(Path.GetFileName));
            Assert.Equal(3, data.Data.Count);
            using var gif = data.Data.X[2];
            Assert.True(gif.std().item<float>() > 10, "the GIF's first frame should be a picture, not a flat image");
        }
        finally { DataCache.Log = log; }
        Assert.Contains(logged, l => l.Contains("skipped") && l.Contains("empty.JPG"));
    }
}
