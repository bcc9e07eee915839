namespace TransferNotebooks;

/// <summary>
/// Registrations of the built-in layers, losses, metrics and optimizers, queued by each type's file at module load and run at the
/// first registry lookup. A module initializer must not load TorchSharp types: hosts such as <c>dotnet fsi</c> and notebook
/// kernels load this library (running its module initializers) before they can resolve TorchSharp, so the registration of a
/// layer (a TorchSharp module) waits until a registry is first used.
/// </summary>
internal static class PendingRegistrations
{
    static readonly List<Action> Pending = [];
    static readonly Lock Gate = new();
    static bool running;

    /// <summary>Queues a registration (module initializers call this; it loads nothing).</summary>
    public static void Defer(Action register)
    {
        lock (Gate) Pending.Add(register);
    }

    /// <summary>Runs every queued registration once; a call made while they run (a registry's first use from one of them) returns at once.</summary>
    public static void Run()
    {
        lock (Gate)
        {
            if (running) return;
            running = true;
            try
            {
                while (Pending.Count > 0)
                {
                    var next = Pending[0];
                    Pending.RemoveAt(0);
                    next();
                }
            }
            finally { running = false; }
        }
    }
}
