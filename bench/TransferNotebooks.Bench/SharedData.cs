namespace TransferNotebooks.Bench;

/// <summary>Finds the shared real-data folder: TRANSFERNOTEBOOKS_SHARED_DATA, else the first shared/data above the current or app directory.</summary>
static class SharedData
{
    public static string? Find()
    {
        var env = Environment.GetEnvironmentVariable("TRANSFERNOTEBOOKS_SHARED_DATA");
        if (!string.IsNullOrWhiteSpace(env) && Directory.Exists(env)) return Path.GetFullPath(env);
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var d = new DirectoryInfo(start); d is not null; d = d.Parent)
            {
                var candidate = Path.Combine(d.FullName, "shared", "data");
                if (Directory.Exists(candidate)) return candidate;
            }
        }
        return null;
    }
}
