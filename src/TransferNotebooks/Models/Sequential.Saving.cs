
namespace TransferNotebooks.Models;

public sealed partial class Sequential
{
    /// <inheritdoc />
    private protected override void SaveKerasFile(string path) => KerasImport.KerasZipWriter.Save(this, path);
}
