using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using TransferNotebooks.Hosting;

namespace TransferNotebooks.Data;

/// <summary>How a download is done: mirrors, expected hashes and timeouts can be replaced (tests, private mirrors).</summary>
public sealed record DownloadOptions
{
    /// <summary>Base URLs to try in order instead of a loader's built-in list (each is joined with the file name).</summary>
    public IReadOnlyList<string>? Mirrors { get; init; }

    /// <summary>Expected hashes by file name, replacing a loader's built-in ones (hex MD5, SHA-1 or SHA-256, chosen by length).</summary>
    public IReadOnlyDictionary<string, string>? Hashes { get; init; }

    /// <summary>How long a connection may go without delivering a byte before the attempt fails (default 60 s).</summary>
    public TimeSpan StallTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The HTTP client to use; a shared client by default.</summary>
    public HttpClient? HttpClient { get; init; }

    /// <summary>Called as bytes arrive (at most a few times a second) and once at the end of each attempt.</summary>
    public Action<DownloadProgress>? Progress { get; init; }

    /// <summary>Show progress in the console, or in the notebook when the display host is one (default true).</summary>
    public bool ShowProgress { get; init; } = true;
}

/// <summary>Progress of one download attempt.</summary>
/// <param name="FileName">The file being downloaded.</param>
/// <param name="Url">The URL it comes from.</param>
/// <param name="BytesReceived">Bytes received so far.</param>
/// <param name="TotalBytes">The announced size, when the server sent one.</param>
/// <param name="BytesPerSecond">Average rate since the attempt started.</param>
/// <param name="Completed">True for the last report of a successful attempt.</param>
public sealed record DownloadProgress(string FileName, string Url, long BytesReceived, long? TotalBytes, double BytesPerSecond, bool Completed)
{
    /// <summary>One line such as <c>train-images-idx3-ubyte.gz  4.2/9.9 MB  3.1 MB/s</c>.</summary>
    public override string ToString()
    {
        var size = TotalBytes is long t ? $"{Mb(BytesReceived)}/{Mb(t)} MB" : $"{Mb(BytesReceived)} MB";
        return $"{FileName}  {size}  {Mb((long)BytesPerSecond)} MB/s{(Completed ? "  done" : "")}";
    }

    static string Mb(long bytes) => (bytes / 1e6).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>A download failed on every mirror. The message lists each URL tried and why it failed; nothing was left in the cache.</summary>
public sealed class DownloadException : IOException
{
    /// <summary>Creates the exception.</summary>
    public DownloadException(string fileName, string directory, IReadOnlyList<string> attempts, string? expectedHash)
        : base($"Could not download '{fileName}' into '{directory}' ({(expectedHash is null ? "no published hash: its content is checked after download" : $"expected {HashName(expectedHash)} {expectedHash}")}). Tried:" + Environment.NewLine
               + string.Join(Environment.NewLine, attempts.Select(a => "  - " + a)) + Environment.NewLine
               + "Nothing was written to the cache. Check the network connection or proxy, or download the file yourself and pass dataDir: with the folder holding it.")
    {
        FileName = fileName;
        Attempts = attempts;
    }

    /// <summary>The file that could not be downloaded.</summary>
    public string FileName { get; }

    /// <summary>One line per URL tried: the URL and the reason it failed.</summary>
    public IReadOnlyList<string> Attempts { get; }

    internal static string HashName(string hash) => hash.Length switch { 32 => "md5", 40 => "sha1", _ => "sha256" };
}

/// <summary>
/// Downloads files safely: mirrors tried in order, each body hashed while it streams and checked against the expected hash,
/// written to a temporary file and renamed into place only when it is complete and correct. A cut connection, a stalled server
/// or a wrong hash leaves nothing behind. Concurrent downloads of the same file (threads or processes) each use their own
/// temporary file, and the rename is atomic, so the cache never holds a partial file.
/// </summary>
public static class Download
{
    static readonly Lazy<HttpClient> SharedClient = new(() =>
    {
        var client = new HttpClient(new SocketsHttpHandler { AutomaticDecompression = DecompressionMethods.None, ConnectTimeout = TimeSpan.FromSeconds(30) })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
        client.DefaultRequestHeaders.UserAgent.ParseAdd("TransferNotebooks/0.1");
        return client;
    });

    /// <summary>
    /// Downloads <paramref name="fileName"/> into <paramref name="directory"/> from the first URL that delivers it with the
    /// expected hash, and returns its path. An existing file with the right hash is returned without downloading.
    /// </summary>
    /// <param name="fileName">The file name in the directory.</param>
    /// <param name="urls">Full URLs to try in order.</param>
    /// <param name="expectedHash">Hex MD5 (32 digits), SHA-1 (40) or SHA-256 (64); null when the publisher gives none (the file is
    /// accepted once complete, always downloaded afresh, and the caller must check its content, as <see cref="Hymenoptera"/> does).</param>
    /// <param name="directory">The destination folder (created if needed).</param>
    /// <param name="options">Timeout, client and progress settings.</param>
    /// <exception cref="DownloadException">Every URL failed; the message says which and why.</exception>
    public static string Fetch(string fileName, IEnumerable<string> urls, string? expectedHash, string directory, DownloadOptions? options = null) =>
        Task.Run(() => FetchAsync(fileName, urls, expectedHash, directory, options)).GetAwaiter().GetResult();

    /// <summary>The asynchronous form of <see cref="Fetch"/>.</summary>
    public static async Task<string> FetchAsync(string fileName, IEnumerable<string> urls, string? expectedHash, string directory,
        DownloadOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new DownloadOptions();
        expectedHash = expectedHash?.Trim().ToLowerInvariant();
        if (expectedHash is not null) _ = AlgorithmFor(expectedHash);
        Directory.CreateDirectory(directory);
        var final = Path.Combine(directory, fileName);
        if (expectedHash is not null && File.Exists(final) && Verify(final, expectedHash)) return final;

        var attempts = new List<string>();
        foreach (var url in urls)
        {
            var tmp = Path.Combine(directory, $".{fileName}.{Guid.NewGuid():N}.part");
            try
            {
                var actual = await DownloadOnce(fileName, url, tmp, expectedHash, options, cancellationToken).ConfigureAwait(false);
                if (expectedHash is not null && actual != expectedHash)
                {
                    attempts.Add($"{url}: wrong {DownloadException.HashName(expectedHash)} {actual}, expected {expectedHash} (the file was discarded)");
                    continue;
                }
                try { File.Move(tmp, final, overwrite: true); }
                catch (IOException) when (expectedHash is not null && File.Exists(final) && Verify(final, expectedHash)) { /* another process put the same file in place */ }
                return final;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested) { throw; }
            catch (AttemptException e) { attempts.Add($"{url}: {e.Message}"); }
            catch (Exception e) when (e is HttpRequestException or IOException or OperationCanceledException or UnauthorizedAccessException or NotSupportedException or InvalidOperationException or FormatException)
            {
                attempts.Add($"{url}: {Describe(e)}");
            }
            finally
            {
                TryDelete(tmp);
            }
        }
        if (attempts.Count == 0) attempts.Add("(no URL was given)");
        throw new DownloadException(fileName, directory, attempts, expectedHash);
    }

    /// <summary>The hex hash of a file, with the algorithm implied by the expected hash's length (32: MD5, 40: SHA-1, 64: SHA-256).</summary>
    public static string FileHash(string path, string algorithmOrExample)
    {
        var algorithm = algorithmOrExample.ToLowerInvariant() switch
        {
            "md5" => HashAlgorithmName.MD5,
            "sha1" => HashAlgorithmName.SHA1,
            "sha256" => HashAlgorithmName.SHA256,
            var h => AlgorithmFor(h),
        };
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        using var hasher = IncrementalHash.CreateHash(algorithm);
        var buffer = new byte[1 << 20];
        int n;
        while ((n = stream.Read(buffer)) > 0) hasher.AppendData(buffer, 0, n);
        return Convert.ToHexStringLower(hasher.GetHashAndReset());
    }

    /// <summary>True when the file's hash equals <paramref name="expectedHash"/> (hex, any case).</summary>
    public static bool Verify(string path, string expectedHash) =>
        string.Equals(FileHash(path, expectedHash.Trim()), expectedHash.Trim(), StringComparison.OrdinalIgnoreCase);

    internal static HashAlgorithmName AlgorithmFor(string hexHash) => hexHash.Length switch
    {
        32 => HashAlgorithmName.MD5,
        40 => HashAlgorithmName.SHA1,
        64 => HashAlgorithmName.SHA256,
        _ => throw new ArgumentException($"'{hexHash}' is not a hex MD5 (32 digits), SHA-1 (40) or SHA-256 (64) hash.", nameof(hexHash)),
    };

    static async Task<string> DownloadOnce(string fileName, string url, string tmp, string? expectedHash, DownloadOptions options, CancellationToken outer)
    {
        var client = options.HttpClient ?? SharedClient.Value;
        using var stall = CancellationTokenSource.CreateLinkedTokenSource(outer);
        stall.CancelAfter(options.StallTimeout);
        var clock = Stopwatch.StartNew();
        long received = 0;
        long? total = null;
        using var reporter = new ProgressReporter(options);
        try
        {
            using var response = await client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, stall.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
                throw new AttemptException($"HTTP {(int)response.StatusCode} {response.ReasonPhrase}");
            total = response.Content.Headers.ContentLength;
            using var hasher = IncrementalHash.CreateHash(expectedHash is null ? HashAlgorithmName.SHA256 : AlgorithmFor(expectedHash));
            await using (var body = await response.Content.ReadAsStreamAsync(stall.Token).ConfigureAwait(false))
            await using (var file = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
            {
                var buffer = new byte[1 << 16];
                while (true)
                {
                    stall.CancelAfter(options.StallTimeout);
                    int n;
                    try { n = await body.ReadAsync(buffer, stall.Token).ConfigureAwait(false); }
                    catch (IOException e) { throw new AttemptException($"the connection was cut after {received:N0} bytes{Of(total)} ({e.Message})"); }
                    if (n == 0) break;
                    hasher.AppendData(buffer, 0, n);
                    await file.WriteAsync(buffer.AsMemory(0, n), stall.Token).ConfigureAwait(false);
                    received += n;
                    reporter.Report(new DownloadProgress(fileName, url, received, total, Rate(received, clock), false));
                }
                await file.FlushAsync(stall.Token).ConfigureAwait(false);
            }
            if (total is long t && received != t)
                throw new AttemptException($"the connection was cut after {received:N0} of {t:N0} bytes");
            reporter.Report(new DownloadProgress(fileName, url, received, total, Rate(received, clock), true), final: true);
            return Convert.ToHexStringLower(hasher.GetHashAndReset());
        }
        catch (OperationCanceledException) when (!outer.IsCancellationRequested)
        {
            throw new AttemptException($"timed out: no data for {options.StallTimeout.TotalSeconds:0.###} s after {received:N0} bytes{Of(total)} (the server stalled; a longer StallTimeout may help)");
        }
    }

    static string Of(long? total) => total is long t ? $" of {t:N0}" : "";

    static double Rate(long bytes, Stopwatch clock) => bytes / Math.Max(clock.Elapsed.TotalSeconds, 1e-3);

    static string Describe(Exception e) => e switch
    {
        HttpRequestException h when h.StatusCode is HttpStatusCode code => $"HTTP {(int)code} {code}",
        HttpRequestException h => $"could not connect ({h.Message}{(h.InnerException is { } i ? ": " + i.Message : "")})",
        _ => e.Message,
    };

    static void TryDelete(string path)
    {
        try { if (File.Exists(path)) File.Delete(path); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    sealed class AttemptException(string message) : Exception(message);

    /// <summary>Shows progress in the console (one updating line) or in the notebook display; throttled to a few updates a second.</summary>
    sealed class ProgressReporter(DownloadOptions options) : IDisposable
    {
        readonly Stopwatch sinceLast = Stopwatch.StartNew();
        IDisplayHandle? handle;
        bool wroteConsole;

        public void Report(DownloadProgress p, bool final = false)
        {
            if (!final && sinceLast.ElapsedMilliseconds < 250) return;
            sinceLast.Restart();
            options.Progress?.Invoke(p);
            if (!options.ShowProgress) return;
            var line = p.ToString();
            var host = DisplayHost.Current;
            if (host.IsNotebook)
            {
                if (handle is null) handle = host.Show(MimeBundle.Text(line));
                else handle.Update(MimeBundle.Text(line));
            }
            else if (!Console.IsErrorRedirected)
            {
                Console.Error.Write("\r" + line.PadRight(70));
                wroteConsole = true;
                if (final) { Console.Error.WriteLine(); wroteConsole = false; }
            }
            else if (final)
            {
                Console.Error.WriteLine(line);
            }
        }

        public void Dispose()
        {
            if (wroteConsole) Console.Error.WriteLine();
        }
    }
}
