using TransferNotebooks.Losses;
using TransferNotebooks.Metrics;

namespace TransferNotebooks.Tests.Metrics;

/// <summary><c>accuracy</c> picks the flavour that fits the loss (Keras's rule) and keeps the asked name; Keras class names come from the metrics.</summary>
public class MetricRegistryTests
{
    [Theory]
    [InlineData("sparse_categorical_crossentropy", typeof(SparseCategoricalAccuracy))]
    [InlineData("categorical_crossentropy", typeof(CategoricalAccuracy))]
    [InlineData("binary_crossentropy", typeof(BinaryAccuracy))]
    public void Accuracy_follows_the_losss_targets_and_keeps_its_name(string loss, Type flavour)
    {
        foreach (var name in new[] { "accuracy", "acc" })
        {
            using var m = MetricRegistry.Get(name, LossRegistry.Get(loss));
            Assert.IsType(flavour, m);
            Assert.Equal(name, m.Name);
        }
    }

    [Theory]
    [InlineData("AUC", "auc")]
    [InlineData("Precision", "precision")]
    [InlineData("SparseTopKCategoricalAccuracy", "sparse_top_k_categorical_accuracy")]
    [InlineData("BinaryAccuracy", "binary_accuracy")]
    public void Keras_class_names_map_to_registered_names(string className, string name)
    {
        Assert.Equal(name, MetricRegistry.NameOfKerasClass(className));
        using var m = MetricRegistry.Get(name);
        Assert.Equal(className, m.KerasClassName);
    }

    [Fact]
    public void Unknown_classes_give_null()
    {
        Assert.Null(MetricRegistry.NameOfKerasClass("MeanIoU"));
        Assert.Throws<ArgumentException>(() => MetricRegistry.Get("mean_iou"));
    }
}
