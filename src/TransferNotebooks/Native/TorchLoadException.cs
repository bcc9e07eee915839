namespace TransferNotebooks.Native;

/// <summary>TorchSharp's native libraries could not be loaded. The message names the likely cause and the fix.</summary>
public sealed class TorchLoadException : Exception
{
    /// <summary>Creates the exception.</summary>
    public TorchLoadException(string message, Exception? inner = null) : base(message, inner) { }

    /// <summary>Translates a raw TorchSharp load failure into an explanation with the fix.</summary>
    public static TorchLoadException From(Exception raw)
    {
        var all = string.Join(" | ", Chain(raw).Select(e => e.Message));
        string cause;
        if (all.Contains("GLIBCXX", StringComparison.Ordinal) || (OperatingSystem.IsLinux() && NativeSetup.NeedsFix()))
            cause = $"TorchSharp's native shim {NativeSetup.ShimFileName} needs {NativeSetup.NeededVersion} (GCC 13's libstdc++), "
                  + "and this system's libstdc++ is older (Debian 12 / Ubuntu 22.04 ship GLIBCXX_3.4.30). TransferNotebooks marks that "
                  + "need weak automatically, but could not do so for the copy being loaded"
                  + (NativeSetup.Actions.Count > 0 ? " (" + string.Join("; ", NativeSetup.Actions) + ")" : "") + ".";
        else if (all.Contains("libtorch", StringComparison.OrdinalIgnoreCase))
            cause = "TorchSharp could not find or load libtorch (the TorchSharp-cpu package's native files are missing, or another libtorch shadows them).";
        else
            cause = "TorchSharp's native backend failed to initialise.";
        return new TorchLoadException(
            cause + " Fix: run 'dotnet run --project src/TransferNotebooks.Cli -- doctor --fix' (or call TransferNotebooks.Native.Doctor.Run(fix: true)) "
            + "and follow what it reports. Original error: " + raw.Message, raw);
    }

    static IEnumerable<Exception> Chain(Exception? e)
    {
        for (; e is not null; e = e.InnerException) yield return e;
    }
}
