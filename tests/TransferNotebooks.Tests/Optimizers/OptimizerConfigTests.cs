using System.IO.Compression;
using System.Text.Json.Nodes;
using TransferNotebooks.Losses;
using TransferNotebooks.Models;
using TransferNotebooks.Optimizers;
using static TransferNotebooks.Keras;

namespace TransferNotebooks.Tests.Optimizers;

/// <summary>The config records: JSON with Keras's keys and real booleans, old number-for-boolean files, Keras class names.</summary>
public sealed class OptimizerConfigTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("tn-optconfig-").FullName;
    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Fact]
    public void Every_registered_optimizer_round_trips_through_json_with_keras_keys_and_boolean_booleans()
    {
        foreach (var name in OptimizerRegistry.Names)
        {
            using var opt = OptimizerRegistry.Get(name);
            var json = opt.GetConfig().ToJson();
            Assert.Equal(opt.GetConfig().LearningRate, json["learning_rate"]!.GetValue<double>());
            foreach (var (key, value) in json)
            {
                Assert.Matches("^[a-z0-9_]+$", key);
                Assert.True(value!.GetValueKind() is System.Text.Json.JsonValueKind.Number or System.Text.Json.JsonValueKind.True or System.Text.Json.JsonValueKind.False);
            }
            using var back = OptimizerRegistry.Get(name, json);
            Assert.Equal(opt.GetConfig(), back.GetConfig());
        }
        using var sgd = new Sgd(0.05, momentum: 0.9, nesterov: true);
        var sgdJson = sgd.GetConfig().ToJson();
        Assert.Equal("""{"learning_rate":0.05,"momentum":0.9,"nesterov":true}""", sgdJson.ToJsonString());
    }

    [Fact]
    public void Missing_keys_take_the_record_defaults_and_unknown_or_null_keys_are_ignored()
    {
        using var opt = OptimizerRegistry.Get("adam", new JsonObject { ["beta_1"] = 0.8, ["weight_decay"] = null, ["clipnorm"] = 1.0, ["name"] = "adam" });
        Assert.Equal(new AdamConfig(Beta1: 0.8), opt.GetConfig());
    }

    [Fact]
    public void Old_model_files_with_numbers_for_booleans_still_load()
    {
        var path = Path.Combine(dir, "old.tnm");
        using (var m = new Sequential(Dense(3, inputShape: [2])))
        {
            m.Compile(new Sgd(), new SparseCategoricalCrossentropy { FromLogits = true }, ["accuracy"]);
            m.Save(path);
        }
        // What version 1 wrote before typed configs: a string -> double dictionary.
        RewriteCompile(path, compile => compile["optimizer"] = new JsonObject
        {
            ["name"] = "sgd", ["config"] = new JsonObject { ["learning_rate"] = 0.05, ["momentum"] = 0.9, ["nesterov"] = 1.0 },
        });
        using (var loaded = Model.Load(path))
        {
            var sgd = Assert.IsType<Sgd>(loaded.Optimizer);
            Assert.Equal(new SgdConfig(0.05, 0.9, true), sgd.GetConfig());
            Assert.True(loaded.Loss.FromLogits);
        }
        RewriteCompile(path, compile => compile["optimizer"] = new JsonObject
        {
            ["name"] = "adam", ["config"] = new JsonObject { ["learning_rate"] = 0.002, ["beta_1"] = 0.9, ["beta_2"] = 0.999, ["epsilon"] = 1e-7, ["torch_style"] = 1.0 },
        });
        using (var loaded = Model.Load(path))
            Assert.Equal(new AdamConfig(LearningRate: 0.002, TorchStyle: true), loaded.Optimizer.GetConfig());
        RewriteCompile(path, compile => compile["optimizer"] = new JsonObject
        {
            ["name"] = "rmsprop", ["config"] = new JsonObject { ["learning_rate"] = 0.01, ["rho"] = 0.8, ["epsilon"] = 1e-7, ["torch_style"] = 0.0 },
        });
        using (var loaded = Model.Load(path))
            Assert.Equal(new RmsPropConfig(LearningRate: 0.01, Rho: 0.8), loaded.Optimizer.GetConfig());
    }

    [Fact]
    public void New_model_files_write_the_typed_form()
    {
        var path = Path.Combine(dir, "new.tnm");
        using (var m = new Sequential(Dense(3, inputShape: [2])))
        {
            m.Compile(new RmsProp(new RmsPropConfig(LearningRate: 0.01, Momentum: 0.5, Centered: true)), "sparse_categorical_crossentropy");
            m.Save(path);
            using var loaded = Model.Load(path);
            Assert.Equal(m.Optimizer.GetConfig(), loaded.Optimizer.GetConfig());
        }
        var compile = ReadConfig(path)["compile"]!;
        Assert.Equal("""{"learning_rate":0.01,"rho":0.9,"momentum":0.5,"epsilon":1E-07,"centered":true,"torch_style":false}""",
            compile["optimizer"]!["config"]!.ToJsonString());
        Assert.Equal("""{"name":"sparse_categorical_crossentropy","from_logits":false}""", compile["loss"]!.ToJsonString());
    }

    [Fact]
    public void Keras_class_names_come_from_the_optimizers()
    {
        using var rms = OptimizerRegistry.FromKerasClass("RMSprop", new JsonObject { ["learning_rate"] = 0.01, ["centered"] = true, ["momentum"] = 0.2 });
        Assert.Equal(new RmsPropConfig(LearningRate: 0.01, Momentum: 0.2, Centered: true), rms.GetConfig());
        using var sgd = OptimizerRegistry.FromKerasClass("SGD", null);
        Assert.IsType<Sgd>(sgd);
        Assert.Throws<ArgumentException>(() => OptimizerRegistry.FromKerasClass("Lion", null));
    }

    [Fact]
    public void Keras_files_carry_every_optimizer_and_a_logits_loss_by_their_class_names()
    {
        (string Name, OptimizerConfig Config)[] cases =
        [
            ("sgd", new SgdConfig(0.05, 0.9, true)), ("rmsprop", new RmsPropConfig(LearningRate: 0.01, Momentum: 0.2, Centered: true)),
            ("adagrad", new AdagradConfig(InitialAccumulatorValue: 0.2)), ("adam", new AdamConfig(Beta1: 0.8, Amsgrad: true)),
            ("adamw", new AdamWConfig(0.01) { LearningRate = 0.002 }),
        ];
        foreach (var (name, config) in cases)
        {
            var path = Path.Combine(dir, $"{name}.keras");
            using (var m = new Sequential(Dense(3, inputShape: [2])))
            {
                m.Compile(OptimizerRegistry.Get(name, config.ToJson()), new CategoricalCrossentropy().WithFromLogits(), ["accuracy"]);
                Assert.Equal(config, m.Optimizer.GetConfig());
                m.SaveKeras(path);
            }
            using var back = Model.Load(path);
            Assert.Equal(config, back.Optimizer.GetConfig());
            Assert.IsType<CategoricalCrossentropy>(back.Loss);
            Assert.True(back.Loss.FromLogits);
        }
    }

    static JsonNode ReadConfig(string path)
    {
        using var zip = ZipFile.OpenRead(path);
        using var s = zip.GetEntry("config.json")!.Open();
        return JsonNode.Parse(s)!;
    }

    static void RewriteCompile(string path, Action<JsonObject> change)
    {
        var config = ReadConfig(path);
        change(config["compile"]!.AsObject());
        using var zip = ZipFile.Open(path, ZipArchiveMode.Update);
        zip.GetEntry("config.json")!.Delete();
        using var w = new StreamWriter(zip.CreateEntry("config.json").Open());
        w.Write(config.ToJsonString());
    }
}
