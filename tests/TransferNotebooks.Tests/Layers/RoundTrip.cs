using System.IO.Compression;
using System.Text.Json.Nodes;
using TransferNotebooks.Models;
using TransferNotebooks.Tests.Data;
using static TorchSharp.torch;

namespace TransferNotebooks.Tests.Layers;

/// <summary>Saving a model in the library's format and as a Keras 3 <c>.keras</c> file, and loading each back.</summary>
static class RoundTrip
{
    /// <summary>
    /// Saves <paramref name="model"/> both ways, loads each file, asserts its predictions on <paramref name="x"/> equal the
    /// original's, and hands the loaded model and file name to <paramref name="check"/> for layer-specific assertions.
    /// </summary>
    public static void BothFormats(Sequential model, Tensor x, Action<Sequential, string>? check = null)
    {
        using var dir = TestData.Temp();
        using var expected = model.Predict(x);
        foreach (var file in new[] { "m.tnmodel", "m.keras" })
        {
            var path = dir.Sub(file);
            if (file.EndsWith(".keras")) model.SaveKeras(path); else model.Save(path);
            using var back = Model.Load<Sequential>(path);
            check?.Invoke(back, file);
            using var got = back.Predict(x);
            Assert.True(got.allclose(expected, 1e-6, 1e-7), $"{file}: predictions changed after save and load");
        }
    }

    /// <summary>
    /// Writes <paramref name="model"/> as a .keras file with one layer's config edited by <paramref name="edit"/> (the
    /// first layer of Keras class <paramref name="className"/>); returns the path. For testing what the importer refuses.
    /// </summary>
    public static string KerasFileWithEditedLayer(Sequential model, TestData.TempDir dir, string className, Action<JsonObject> edit)
    {
        var path = dir.Sub($"edited-{className}.keras");
        model.SaveKeras(path);
        using var zip = ZipFile.Open(path, ZipArchiveMode.Update);
        var entry = zip.GetEntry("config.json")!;
        JsonNode config;
        using (var r = entry.Open()) config = JsonNode.Parse(r)!;
        var layer = config["config"]!["layers"]!.AsArray().First(l => (string?)l!["class_name"] == className)!;
        edit(layer["config"]!.AsObject());
        entry.Delete();
        using (var w = new StreamWriter(zip.CreateEntry("config.json").Open())) w.Write(config.ToJsonString());
        return path;
    }
}
