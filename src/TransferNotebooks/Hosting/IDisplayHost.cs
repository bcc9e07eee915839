namespace TransferNotebooks.Hosting;

/// <summary>
/// Where the library's live output goes: a terminal, the project's Jupyter kernel, or Polyglot Notebooks.
/// The library only knows this interface; hosts implement it (see <see cref="DisplayHost"/>).
/// </summary>
public interface IDisplayHost
{
    /// <summary>True for notebook hosts (rich MIME output, in-place updates of a display); false for terminals and logs.</summary>
    bool IsNotebook { get; }

    /// <summary>Shows <paramref name="content"/> and returns a handle that can replace it in place.</summary>
    IDisplayHandle Show(MimeBundle content);
}

/// <summary>A display that can be updated in place (Jupyter's <c>update_display_data</c>).</summary>
public interface IDisplayHandle
{
    /// <summary>Replaces the displayed content.</summary>
    void Update(MimeBundle content);
}
