namespace TransferNotebooks.Hosting;

/// <summary>
/// The host's "stop" button: notebook hosts cancel <see cref="Token"/> when the user interrupts a cell, and <c>Fit</c> (when no
/// token is passed) stops after the current batch, leaving the model usable.
/// </summary>
public static class Interruption
{
    static CancellationTokenSource source = new();

    /// <summary>The token the current cell's training observes.</summary>
    public static CancellationToken Token => source.Token;

    /// <summary>Requests a stop (called by the host on interrupt).</summary>
    public static void Interrupt() => source.Cancel();

    /// <summary>Starts afresh (called by the host before each cell).</summary>
    public static void Reset()
    {
        var old = Interlocked.Exchange(ref source, new CancellationTokenSource());
        old.Dispose();
    }
}
