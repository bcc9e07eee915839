namespace TransferNotebooks.Kernel;

/// <summary>The kernel's log: standard error, which Jupyter shows in its own log (never in the notebook).</summary>
public static class Log
{
    static readonly TextWriter Error = TextWriter.Synchronized(new StreamWriter(Console.OpenStandardError()) { AutoFlush = true });
    static readonly bool Verbose = Environment.GetEnvironmentVariable("TN_KERNEL_DEBUG") == "1";

    public static void Info(string message) => Error.WriteLine($"[tn-kernel {DateTime.Now:HH:mm:ss.fff}] {message}");

    public static void Warn(string message) => Error.WriteLine($"[tn-kernel {DateTime.Now:HH:mm:ss.fff}] WARNING {message}");

    public static void Debug(string message)
    {
        if (Verbose) Info(message);
    }
}
