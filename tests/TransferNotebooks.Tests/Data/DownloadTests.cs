using System.Security.Cryptography;
using TransferNotebooks.Data;

namespace TransferNotebooks.Tests.Data;

public class DownloadTests
{
    static readonly byte[] Body = File.ReadAllBytes(Path.Combine(TestData.MnistFixture, "t10k-1k-labels-idx1-ubyte.gz"));
    static readonly string Md5 = Convert.ToHexStringLower(MD5.HashData(Body));
    static readonly string Sha = Convert.ToHexStringLower(SHA256.HashData(Body));
    static DownloadOptions Quiet(TimeSpan? stall = null) => new() { ShowProgress = false, StallTimeout = stall ?? TimeSpan.FromSeconds(10) };

    [Fact]
    public void A_good_download_lands_verified_and_alone_in_the_folder()
    {
        using var server = new LoopbackServer().Add("a/file.gz", LoopbackServer.Mode.Serve, Body);
        using var dir = TestData.Temp();
        var progress = new List<DownloadProgress>();
        var path = Download.Fetch("file.gz", [server.BaseUrl + "a/file.gz"], Md5, dir.Path, Quiet() with { Progress = progress.Add });
        Assert.Equal(Body, File.ReadAllBytes(path));
        Assert.Equal(["file.gz"], dir.Files());
        Assert.True(progress.Last().Completed);
        Assert.Equal(Body.Length, progress.Last().BytesReceived);
        Assert.True(Download.Verify(path, Sha));
    }

    [Fact]
    public void An_existing_verified_file_is_not_downloaded_again()
    {
        using var server = new LoopbackServer().Add("a/file.gz", LoopbackServer.Mode.Serve, Body);
        using var dir = TestData.Temp();
        File.WriteAllBytes(dir.Sub("file.gz"), Body);
        Download.Fetch("file.gz", [server.BaseUrl + "a/file.gz"], Md5, dir.Path, Quiet());
        Assert.Empty(server.Requests);
    }

    [Fact]
    public void A_mirror_that_404s_is_skipped_for_the_next_one()
    {
        using var server = new LoopbackServer().Add("good/file.gz", LoopbackServer.Mode.Serve, Body);
        using var dir = TestData.Temp();
        var path = Download.Fetch("file.gz", [server.BaseUrl + "missing/file.gz", server.BaseUrl + "good/file.gz"], Sha, dir.Path, Quiet());
        Assert.Equal(Body, File.ReadAllBytes(path));
        Assert.Equal(["missing/file.gz", "good/file.gz"], server.Requests.ToArray());
        Assert.Equal(["file.gz"], dir.Files());
    }

    [Fact]
    public void All_mirrors_failing_names_each_url_and_reason_and_leaves_nothing()
    {
        using var server = new LoopbackServer();
        using var dir = TestData.Temp();
        var e = Assert.Throws<DownloadException>(() =>
            Download.Fetch("file.gz", [server.BaseUrl + "m1/file.gz", server.BaseUrl + "m2/file.gz"], Md5, dir.Path, Quiet()));
        Assert.Contains(server.BaseUrl + "m1/file.gz: HTTP 404", e.Message);
        Assert.Contains(server.BaseUrl + "m2/file.gz: HTTP 404", e.Message);
        Assert.Contains("'file.gz'", e.Message);
        Assert.Contains(Md5, e.Message);
        Assert.Equal(2, e.Attempts.Count);
        Assert.Empty(dir.Files());
    }

    [Fact]
    public void A_truncated_body_is_reported_and_discarded()
    {
        using var server = new LoopbackServer().Add("a/file.gz", LoopbackServer.Mode.Truncate, Body);
        using var dir = TestData.Temp();
        var e = Assert.Throws<DownloadException>(() => Download.Fetch("file.gz", [server.BaseUrl + "a/file.gz"], Md5, dir.Path, Quiet()));
        Assert.Contains("cut", e.Message);
        Assert.Contains(server.BaseUrl + "a/file.gz", e.Message);
        Assert.Empty(dir.Files());
    }

    [Fact]
    public void A_wrong_hash_says_what_was_expected_and_leaves_nothing()
    {
        using var server = new LoopbackServer().Add("a/file.gz", LoopbackServer.Mode.Serve, Body);
        using var dir = TestData.Temp();
        var wrong = new string('0', 32);
        var e = Assert.Throws<DownloadException>(() => Download.Fetch("file.gz", [server.BaseUrl + "a/file.gz"], wrong, dir.Path, Quiet()));
        Assert.Contains($"wrong md5 {Md5}, expected {wrong}", e.Message);
        Assert.Empty(dir.Files());
    }

    [Fact]
    public void A_stalled_server_times_out_with_a_clear_error_and_leaves_nothing()
    {
        using var server = new LoopbackServer().Add("a/file.gz", LoopbackServer.Mode.Stall, Body);
        using var dir = TestData.Temp();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var e = Assert.Throws<DownloadException>(() =>
            Download.Fetch("file.gz", [server.BaseUrl + "a/file.gz"], Md5, dir.Path, Quiet(TimeSpan.FromMilliseconds(500))));
        Assert.Contains("timed out", e.Message);
        Assert.Contains("stalled", e.Message);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(8), $"took {clock.Elapsed}");
        Assert.Empty(dir.Files());
    }

    [Fact]
    public void A_refused_connection_is_reported()
    {
        using var dir = TestData.Temp();
        var e = Assert.Throws<DownloadException>(() => Download.Fetch("file.gz", ["http://127.0.0.1:9/file.gz"], Md5, dir.Path, Quiet()));
        Assert.Contains("http://127.0.0.1:9/file.gz", e.Message);
        Assert.Empty(dir.Files());
    }

    [Fact]
    public async Task Concurrent_downloads_of_the_same_file_leave_one_good_copy()
    {
        using var server = new LoopbackServer().Add("a/file.gz", LoopbackServer.Mode.Serve, Body);
        using var dir = TestData.Temp();
        var tasks = Enumerable.Range(0, 6).Select(_ => Task.Run(() => Download.FetchAsync("file.gz", [server.BaseUrl + "a/file.gz"], Md5, dir.Path, Quiet()))).ToArray();
        var paths = await Task.WhenAll(tasks);
        Assert.All(paths, p => Assert.Equal(Body, File.ReadAllBytes(p)));
        Assert.Equal(["file.gz"], dir.Files());
    }

    [Fact]
    public void Hash_length_picks_the_algorithm_and_bad_hashes_are_rejected()
    {
        using var dir = TestData.Temp();
        var file = dir.Sub("x");
        File.WriteAllBytes(file, Body);
        Assert.Equal(Md5, Download.FileHash(file, "md5"));
        Assert.Equal(Sha, Download.FileHash(file, "sha256"));
        Assert.True(Download.Verify(file, Md5.ToUpperInvariant()));
        Assert.Throws<ArgumentException>(() => Download.Fetch("x", ["http://127.0.0.1:9/x"], "abc", dir.Path, Quiet()));
    }
}

public class DownloadUrlTests
{
    [Fact]
    public void Malformed_and_unsupported_urls_are_reported_per_mirror()
    {
        using var dir = TestData.Temp();
        var e = Assert.Throws<DownloadException>(() => Download.Fetch("f", ["not a url", "ftp://127.0.0.1/f"], new string('0', 32), dir.Path, new DownloadOptions { ShowProgress = false }));
        Assert.Equal(2, e.Attempts.Count);
        Assert.StartsWith("not a url: ", e.Attempts[0]);
        Assert.Empty(dir.Files());
    }
}
