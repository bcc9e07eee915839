using TransferNotebooks.Data;

namespace TransferNotebooks.Cli.Demo;

/// <summary>
/// Finds MNIST for the demo, in order: --data-dir, the cache, the official download; offline with an empty cache it falls back to
/// the small real sample shipped with the demo (4,000 training and 1,000 test digits) and says so in one line.
/// </summary>
public static class DemoData
{
    public static MnistData Load(DemoOptions options)
    {
        if (options.DataDir is { } dir)
        {
            if (!Directory.Exists(dir)) throw new DirectoryNotFoundException($"--data-dir '{dir}' does not exist. Point it at a folder with the MNIST IDX files.");
            return Mnist.LoadData(scale: true, dataDir: dir, download: false);
        }
        if (!options.Offline)
        {
            try
            {
                return Mnist.LoadData(scale: true, options: new DownloadOptions { StallTimeout = TimeSpan.FromSeconds(15) });
            }
            catch (Exception e) when (e is IOException or HttpRequestException or TaskCanceledException or InvalidOperationException)
            {
                Console.WriteLine($"MNIST is not cached and could not be downloaded ({FirstLine(e.Message)}).");
            }
        }
        var sample = Path.Combine(AppContext.BaseDirectory, "sample-data", "mnist");
        Console.WriteLine("Using the small real MNIST sample shipped with the demo (4,000 training and 1,000 test digits); results are noisier than with the full set.");
        return Mnist.LoadData(scale: true, dataDir: sample, download: false);
    }

    static string FirstLine(string s) => s.Split('\n')[0].Trim();
}
