namespace TransferNotebooks.Hosting;

/// <summary>
/// Cancellation of the running notebook cell. The project's Jupyter kernel sets <see cref="Current"/> to a fresh token for
/// every cell and cancels it when the user interrupts; long-running code (the training loop) polls it between steps.
/// Outside a kernel the token is never cancelled.
/// </summary>
public static class Interrupt
{
    static CancellationToken current;

    /// <summary>The token of the running cell (<see cref="CancellationToken.None"/> outside a kernel).</summary>
    public static CancellationToken Current
    {
        get => current;
        set => current = value;
    }

    /// <summary>True when the user asked to stop the running cell.</summary>
    public static bool IsRequested => current.IsCancellationRequested;

    /// <summary>Throws <see cref="OperationCanceledException"/> when the user asked to stop the running cell.</summary>
    public static void ThrowIfRequested() => current.ThrowIfCancellationRequested();
}
