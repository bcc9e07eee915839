using TransferNotebooks.Data;

namespace TransferNotebooks.Tests.Data;

public class DataCacheTests
{
    [Theory]
    [InlineData("MNIST train: /work/shared/data/mnist/train-10k-images-idx3-ubyte.gz (10000 digits), test: /data/t10k-images-idx3-ubyte.gz (10000 digits)",
        "MNIST train: train-10k-images-idx3-ubyte.gz (10000 digits), test: t10k-images-idx3-ubyte.gz (10000 digits)")]
    [InlineData("Archive /root/.transfernotebooks/datasets/imdb/aclImdb_v1.tar.gz (sha256 verified), tokens cached in /root/.cache/x.tokens.bin.",
        "Archive aclImdb_v1.tar.gz (sha256 verified), tokens cached in x.tokens.bin.")]
    [InlineData(@"train: C:\Users\me\data\mnist\train.gz (5 digits)", "train: train.gz (5 digits)")]
    [InlineData("Epoch 1/3 - 5/10 batches, digits 0-4/5-9", "Epoch 1/3 - 5/10 batches, digits 0-4/5-9")]
    public void Logged_sources_name_files_not_folders(string message, string expected) =>
        Assert.Equal(expected, DataCache.FileNamesOnly(message));
}
