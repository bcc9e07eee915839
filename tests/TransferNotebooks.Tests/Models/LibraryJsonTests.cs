using System.IO.Compression;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using TransferNotebooks.Models;
using static TorchSharp.torch;

namespace TransferNotebooks.Tests.Models;

/// <summary>
/// The library's JSON goes through source-generated metadata (<see cref="LibraryJson"/>) and writes the same bytes the
/// reflection-based serializer wrote before, so old files load and new files load in old versions. This test project runs with
/// reflection-based JSON and dynamic code switched off, as a .NET 10 file-based app does by default.
/// </summary>
public sealed class LibraryJsonTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("library-json-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    /// <summary>The old code's serializer: reflection, asked for explicitly (the default is switched off in this project).</summary>
    static readonly JsonSerializerOptions Reflection = new() { TypeInfoResolver = new DefaultJsonTypeInfoResolver() };

    static string Fixture(string name) => Path.Combine(Fixtures.Dir("keras"), name);

    [Fact]
    public void Tests_run_with_reflection_json_and_dynamic_code_off()
    {
        Assert.False(JsonSerializer.IsReflectionEnabledByDefault);
        Assert.False(RuntimeFeature.IsDynamicCodeSupported);
        Assert.Throws<InvalidOperationException>(() => JsonSerializer.Serialize(new Dictionary<string, object> { ["a"] = 1 }));
    }

    [Theory]
    [InlineData("mlp.keras")]
    [InlineData("cnn.keras")]
    [InlineData("pooling.keras")]
    [InlineData("text.keras")]
    [InlineData("lstm.keras")]
    [InlineData("gru.keras")]
    [InlineData("conv1d.keras")]
    [InlineData("masked.keras")]
    public void Layer_configs_round_trip_and_optimizer_configs_are_written_as_the_reflection_serializer_wrote_them(string fixture)
    {
        using var model = Model.Load(Fixture(fixture));
        foreach (var layer in model.Layers)
        {
            var config = layer.GetConfig();
            using var again = TransferNotebooks.Layers.LayerRegistry.Create(layer.TypeName, JsonSerializer.SerializeToElement(config, LibraryJson.Default.JsonNode), layer.Name, layer.InputShape);
            Assert.Equal(config.ToJsonString(), again.GetConfig().ToJsonString());
            Assert.DoesNotContain(config, kv => kv.Value is null); // absent settings are left out, not written as null
        }
        if (model.IsCompiled)
            Assert.Equal(JsonSerializer.Serialize(model.Optimizer.GetConfig(), Reflection),
                JsonSerializer.SerializeToNode(model.Optimizer.GetConfig(), LibraryJson.Default.OptimizerConfig)!.ToJsonString());
    }

    [Fact]
    public void A_saved_models_json_entries_are_byte_identical_to_the_reflection_serializers()
    {
        using var model = Model.Load(Fixture("cnn.keras"));
        var path = Path.Combine(dir, "m.tnmodel");
        model.Save(path);
        using var zip = ZipFile.OpenRead(path);
        foreach (var name in new[] { "metadata.json", "config.json" })
        {
            byte[] saved;
            using (var s = zip.GetEntry(name)!.Open()) { var ms = new MemoryStream(); s.CopyTo(ms); saved = ms.ToArray(); }
            var old = JsonSerializer.SerializeToUtf8Bytes(JsonNode.Parse(saved), new JsonSerializerOptions(Reflection) { WriteIndented = true });
            Assert.Equal(Encoding.UTF8.GetString(old), Encoding.UTF8.GetString(saved));
            Assert.Contains("\n  ", Encoding.UTF8.GetString(saved)); // indented, as before
        }
    }

    [Fact]
    public void The_safetensors_header_is_byte_identical_to_the_reflection_serializers()
    {
        var tensors = new Dictionary<string, Tensor>
        {
            ["dense/kernel"] = ones(2, 3), ["dense/bias"] = zeros(3, dtype: ScalarType.Float64), ["ids"] = arange(5L), ["scalar"] = tensor(1.5f),
        };
        var ms = new MemoryStream();
        SafeTensors.Write(ms, tensors);
        var bytes = ms.ToArray();
        var headerLength = (int)BitConverter.ToUInt64(bytes, 0);
        Assert.Equal(0, headerLength % 8);
        var header = Encoding.UTF8.GetString(bytes, 8, headerLength);

        var old = new Dictionary<string, object>();
        long offset = 0;
        foreach (var (name, t) in tensors)
        {
            long size = t.numel() * t.element_size();
            old[name] = new { dtype = t.dtype switch { ScalarType.Float32 => "F32", ScalarType.Float64 => "F64", _ => "I64" }, shape = t.shape, data_offsets = new[] { offset, offset + size } };
            offset += size;
        }
        var expected = JsonSerializer.Serialize(old, Reflection);
        Assert.Equal(expected, header.TrimEnd(' '));
        Assert.Equal(expected.Length, header.TrimEnd(' ').Length);

        ms.Position = 0;
        var back = SafeTensors.Read(ms);
        Assert.Equal(tensors.Keys, back.Keys);
        Assert.Equal([0L, 1, 2, 3, 4], back["ids"].data<long>().ToArray());
        Assert.Empty(back["scalar"].shape);
    }
}
