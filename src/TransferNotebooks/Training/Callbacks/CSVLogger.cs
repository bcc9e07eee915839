using System.Globalization;
using System.Text;

namespace TransferNotebooks.Training.Callbacks;

/// <summary>
/// Writes one row per epoch to a CSV file (Keras's <c>CSVLogger</c>): an <c>epoch</c> column (0-based, as Keras and
/// <see cref="History.Epochs"/>) and one column per logged value, in log order, with round-trip precision so the file matches
/// <see cref="History"/> exactly. The header is written once. Each row is appended and the file closed at every epoch end,
/// so an interrupted run leaves every finished epoch on disk and no open handle.
/// </summary>
/// <remarks>
/// Without <c>append</c> the file is started afresh the first time the logger is used; later Fit calls with the same instance
/// (for example the two phases of <c>FineTune</c>) continue it, so one logger gives one file per run.
/// </remarks>
public sealed class CSVLogger : Callback
{
    List<string>? columns;
    bool started;

    /// <summary>Creates the logger.</summary>
    /// <param name="filename">The CSV file (its folder is created if needed).</param>
    /// <param name="separator">The column separator.</param>
    /// <param name="append">Append to an existing file (keeping its header and columns) instead of overwriting it.</param>
    public CSVLogger(string filename, string separator = ",", bool append = false)
    {
        if (string.IsNullOrWhiteSpace(filename)) throw new ArgumentException("filename must be a path, for example \"training.csv\".", nameof(filename));
        if (string.IsNullOrEmpty(separator)) throw new ArgumentException("separator must not be empty.", nameof(separator));
        Filename = filename;
        Separator = separator;
        Append = append;
    }

    /// <summary>The file written.</summary>
    public string Filename { get; }
    /// <summary>The column separator.</summary>
    public string Separator { get; }
    /// <summary>Whether rows are appended to an existing file.</summary>
    public bool Append { get; }

    /// <inheritdoc />
    public override void OnTrainBegin(Logs logs)
    {
        bool continuing = started;
        started = true;
        if (continuing && File.Exists(Filename)) return; // same instance, next Fit: keep the columns and go on
        columns = null;
        var dir = Path.GetDirectoryName(Path.GetFullPath(Filename));
        if (dir is not null) Directory.CreateDirectory(dir);
        if (!Append && !continuing) { File.WriteAllText(Filename, ""); return; }
        if (!File.Exists(Filename)) return;
        using var reader = new StreamReader(Filename);
        var header = reader.ReadLine();
        if (!string.IsNullOrEmpty(header)) columns = [.. header.Split(Separator)];
    }

    /// <inheritdoc />
    public override void OnEpochEnd(int epoch, Logs logs)
    {
        var sb = new StringBuilder();
        if (columns is null)
        {
            columns = ["epoch", .. logs.Keys];
            sb.AppendJoin(Separator, columns).Append('\n');
        }
        for (int i = 0; i < columns.Count; i++)
        {
            if (i > 0) sb.Append(Separator);
            if (columns[i] == "epoch") sb.Append(epoch.ToString(CultureInfo.InvariantCulture));
            else sb.Append(logs.TryGet(columns[i], out var v) ? v.ToString("R", CultureInfo.InvariantCulture) : "NA");
        }
        sb.Append('\n');
        File.AppendAllText(Filename, sb.ToString());
    }
}
