namespace TransferNotebooks.Hosting;

/// <summary>The terminal / log host: writes the plain-text form; updates print again (terminals get progress from the console progress bar instead).</summary>
public sealed class ConsoleDisplayHost : IDisplayHost
{
    readonly TextWriter writer;

    /// <summary>Writes to <paramref name="writer"/> (standard output by default).</summary>
    public ConsoleDisplayHost(TextWriter? writer = null) => this.writer = writer ?? Console.Out;

    /// <inheritdoc />
    public bool IsNotebook => false;

    /// <inheritdoc />
    public IDisplayHandle Show(MimeBundle content)
    {
        writer.WriteLine(content.PlainText);
        return new Handle(writer);
    }

    sealed class Handle(TextWriter writer) : IDisplayHandle
    {
        public void Update(MimeBundle content) => writer.WriteLine(content.PlainText);
    }
}
