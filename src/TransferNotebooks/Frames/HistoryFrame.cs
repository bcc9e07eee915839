using Deedle;
using TransferNotebooks.Training;

namespace TransferNotebooks.Frames;

/// <summary>A training <see cref="History"/> as a Deedle frame (pandas' <c>pd.DataFrame(history.history)</c>).</summary>
public static class HistoryFrame
{
    /// <summary>
    /// One row per epoch, keyed by the 1-based epoch number as the progress bar prints it, one column per recorded series
    /// (loss, metrics, val_*, learning_rate, seconds). Missing values (NaN) are Deedle's missing values.
    /// </summary>
    public static Frame<int, string> ToFrame(this History history)
    {
        ArgumentNullException.ThrowIfNull(history);
        var epochs = history.Epochs.Select(e => e + 1).ToArray();
        var builder = new FrameBuilder.Columns<int, string>();
        foreach (var key in history.Keys)
        {
            var values = history[key];
            builder.Add(key, new Series<int, double>(epochs, epochs.Select((_, i) => i < values.Count ? values[i] : double.NaN)));
        }
        return builder.Frame;
    }
}
