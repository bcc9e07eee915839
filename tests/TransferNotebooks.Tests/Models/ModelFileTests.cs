using System.IO.Compression;
using TransferNotebooks.Data;
using TransferNotebooks.Models;
using static TransferNotebooks.Keras;
using static TorchSharp.torch;

namespace TransferNotebooks.Tests.Models;

public class ModelFileTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("tn-model-").FullName;
    public void Dispose() => Directory.Delete(dir, recursive: true);

    static Sequential SmallCnn()
    {
        manual_seed(5);
        var m = new Sequential(Conv2D(4, 3, padding: "same", activation: "relu", inputShape: [28, 28, 1]), BatchNormalization(), MaxPooling2D(),
            Flatten(), Dropout(0.2), Dense(16, activation: "relu"), Dense(10, activation: "softmax"));
        m.Compile(optimizer: "adam", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
        return m;
    }

    [Fact]
    public void Save_then_load_gives_identical_predictions_flags_and_compile_settings()
    {
        using var data = Fixtures.MnistTrain().Take(300);
        using var m = SmallCnn();
        m.Fit(data, epochs: 1, verbose: 0, seed: 1);
        m.Layers[0].Trainable = false;
        var path = Path.Combine(dir, "cnn.tnmodel");
        m.Save(path);
        using var loaded = Model.Load(path);
        using var a = m.Predict(data.X);
        using var b = loaded.Predict(data.X);
        Assert.True(a.allclose(b, 0, 0), "predictions must be bit-identical");
        Assert.Equal(m.Layers.Select(l => (l.Name, l.TypeName, l.Trainable)), loaded.Layers.Select(l => (l.Name, l.TypeName, l.Trainable)));
        Assert.Equal("adam", loaded.Optimizer.Name);
        Assert.Equal("sparse_categorical_crossentropy", loaded.Loss.Name);
        Assert.Equal(["accuracy"], loaded.MetricNames);
        Assert.Equal(m.Summary().ToString(), loaded.Summary().ToString());
    }

    [Fact]
    public void Save_chooses_the_format_by_extension_or_format_and_Load_recognises_each_by_content()
    {
        using var m = SmallCnn();
        string Saved(string name, ModelFormat format = ModelFormat.Auto)
        {
            var path = Path.Combine(dir, name);
            m.Save(path, format: format);
            return path;
        }
        Assert.Equal(ModelFileKind.TransferNotebooks, Model.Detect(Saved("a" + Model.Extension)));
        Assert.Equal(ModelFileKind.KerasZip, Model.Detect(Saved("b.keras")));
        Assert.Equal(ModelFileKind.KerasZip, Model.Detect(Saved("c.KERAS")));
        Assert.Equal(ModelFileKind.TransferNotebooks, Model.Detect(Saved("d.bin")));
        Assert.Equal(ModelFileKind.KerasZip, Model.Detect(Saved("e.bin", ModelFormat.Keras)));
        Assert.Equal(ModelFileKind.TransferNotebooks, Model.Detect(Saved("f.keras", ModelFormat.TransferNotebooks)));
        using var x = rand(2, 28, 28, 1);
        using var expected = m.Predict(x);
        foreach (var name in new[] { "a.tnmodel", "b.keras", "c.KERAS", "d.bin", "e.bin", "f.keras" })
        {
            using var back = Model.Load(Path.Combine(dir, name));
            using var y = back.Predict(x);
            Assert.True(expected.allclose(y, 1e-5, 1e-6), name);
            Assert.Equal("adam", back.Optimizer.Name, ignoreCase: true);
        }
        using var uncompiled = Model.Load(Path.Combine(dir, "a.tnmodel"), compile: false);
        Assert.False(uncompiled.IsCompiled);
        Assert.Throws<NotSupportedException>(() => m.Save(Path.Combine(dir, "g.keras"), includeOptimizer: true));
    }

    [Fact]
    public void A_file_of_no_known_format_gets_an_error_naming_the_formats_not_corrupt()
    {
        using var m = SmallCnn();
        var weights = Path.Combine(dir, "weights.safetensors");
        m.SaveWeights(weights);
        var e = Assert.Throws<InvalidDataException>(() => Model.Load(weights));
        Assert.Contains("TransferNotebooks model (.tnmodel", e.Message);
        Assert.Contains(".keras", e.Message);
        Assert.Contains(".h5", e.Message);
        Assert.Contains("LoadWeights", e.Message);
        Assert.DoesNotContain("corrupt", e.Message);
        Assert.DoesNotContain("truncated", e.Message);
    }

    [Fact]
    public void A_crash_mid_save_leaves_the_previous_file_intact_and_no_temp_file()
    {
        var path = Path.Combine(dir, "model.tnmodel");
        using var m = SmallCnn();
        m.Save(path);
        var before = File.ReadAllBytes(path);
        Assert.Throws<IOException>(() => AtomicFile.Write(path, s => { s.Write(new byte[1000]); throw new IOException("disk unplugged"); }));
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Single(Directory.GetFiles(dir));
        using var again = Model.Load(path);
        Assert.Equal(7, again.Layers.Count);
    }

    [Fact]
    public void Truncated_corrupt_foreign_and_newer_files_give_clear_errors()
    {
        using var m = SmallCnn();
        var good = Path.Combine(dir, "good.tnmodel");
        m.Save(good);
        var bytes = File.ReadAllBytes(good);

        var truncated = Path.Combine(dir, "truncated.tnmodel");
        File.WriteAllBytes(truncated, bytes[..(bytes.Length / 2)]);
        Assert.Contains("truncated", Assert.Throws<InvalidDataException>(() => Model.Load(truncated)).Message);

        var text = Path.Combine(dir, "notes.tnmodel");
        File.WriteAllText(text, "hello");
        Assert.Contains("not a TransferNotebooks model", Assert.Throws<InvalidDataException>(() => Model.Load(text)).Message);

        var otherZip = Path.Combine(dir, "other.zip");
        using (var z = ZipFile.Open(otherZip, ZipArchiveMode.Create)) z.CreateEntry("readme.txt");
        Assert.Contains("metadata.json", Assert.Throws<InvalidDataException>(() => Model.Load(otherZip)).Message);

        var newer = Path.Combine(dir, "newer.tnmodel");
        File.Copy(good, newer);
        using (var z = ZipFile.Open(newer, ZipArchiveMode.Update))
        {
            z.GetEntry("metadata.json")!.Delete();
            using var w = new StreamWriter(z.CreateEntry("metadata.json").Open());
            w.Write("{\"format\":\"transfernotebooks.model\",\"format_version\":99}");
        }
        var e = Assert.Throws<InvalidDataException>(() => Model.Load(newer));
        Assert.Contains("version 99", e.Message);
        Assert.Contains("Update", e.Message);

        var unknownType = Path.Combine(dir, "unknown.tnmodel");
        File.Copy(good, unknownType);
        using (var z = ZipFile.Open(unknownType, ZipArchiveMode.Update))
        {
            string config;
            using (var r = new StreamReader(z.GetEntry("config.json")!.Open())) config = r.ReadToEnd();
            z.GetEntry("config.json")!.Delete();
            using var w = new StreamWriter(z.CreateEntry("config.json").Open());
            w.Write(config.Replace("\"MaxPooling2D\"", "\"System.Diagnostics.Process\""));
        }
        Assert.Contains("Unknown layer type 'System.Diagnostics.Process'", Assert.Throws<ArgumentException>(() => Model.Load(unknownType)).Message);
    }

    [Fact]
    public void Weights_load_strictly_or_skip_mismatches_with_a_report()
    {
        using var m = SmallCnn();
        var path = Path.Combine(dir, "w.safetensors");
        m.SaveWeights(path);
        using var same = SmallCnn();
        var report = same.LoadWeights(path);
        Assert.Equal(m.NamedWeights().Count, report.Loaded.Count);

        using var otherHead = SmallCnn();
        otherHead.Pop().Dispose();
        otherHead.Add(Dense(5, activation: "softmax", name: "dense_1"));
        var e = Assert.Throws<InvalidDataException>(() => otherHead.LoadWeights(path));
        Assert.Contains("shape mismatch", e.Message);
        var lenient = otherHead.LoadWeights(path, skipMismatch: true);
        Assert.Equal(2, lenient.Skipped.Count);
        Assert.Contains(lenient.Skipped, s => s.StartsWith("dense_1/kernel"));
    }
}
