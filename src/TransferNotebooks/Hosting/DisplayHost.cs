namespace TransferNotebooks.Hosting;

/// <summary>
/// The display host in use. Hosts install themselves: the project's Jupyter kernel sets <see cref="Current"/> at start-up;
/// otherwise the console host is used.
/// </summary>
public static class DisplayHost
{
    static IDisplayHost? current;

    /// <summary>The host that live output (progress, charts) goes to.</summary>
    public static IDisplayHost Current
    {
        get => current ??= new ConsoleDisplayHost();
        set => current = value ?? throw new ArgumentNullException(nameof(value));
    }
}
