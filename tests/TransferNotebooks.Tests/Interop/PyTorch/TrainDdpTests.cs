using System.Text.Json;
using TransferNotebooks.Data;
using TransferNotebooks.Models;
using TransferNotebooks.Tests.Data;
using Xunit.Abstractions;
using static TransferNotebooks.Keras;
using static TorchSharp.torch;

namespace TransferNotebooks.Tests.Interop.PyTorch;

/// <summary>
/// interop/pytorch/train_ddp.py under torchrun: an exported MNIST model trained data-parallel by two processes (gloo on CPU), its
/// state_dict loaded back into .NET, where Evaluate must match PyTorch's evaluation.
/// </summary>
public class TrainDdpTests(ITestOutputHelper output)
{
    const string Torchrun = "/usr/bin/torchrun";

    [Fact]
    public void Two_process_torchrun_training_loads_back_and_Evaluate_matches_PyTorchs_evaluation()
    {
        PythonTorch.Require();
        Assert.True(File.Exists(Torchrun), $"{Torchrun} is missing: run ./scripts/setup (python3-torch ships torchrun).");
        using var temp = TestData.Temp();
        using var train = Fixtures.MnistTrain();
        using var test = Fixtures.MnistTest();
        manual_seed(21);
        using var model = new Sequential(Flatten(inputShape: [28, 28]), Dense(64, activation: "relu"), Dense(10, activation: "softmax"));
        model.Compile(optimizer: "sgd", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
        double before = model.Evaluate(test).Accuracy;
        model.SavePyTorch(temp.Sub("exported"));
        using var xTrain = train.X.narrow(0, 0, 4000);
        using var yTrain = train.Y.narrow(0, 0, 4000);
        Npy.Save(temp.Sub("x_train.npy"), xTrain);
        Npy.Save(temp.Sub("y_train.npy"), yTrain);
        Npy.Save(temp.Sub("x_test.npy"), test.X);
        Npy.Save(temp.Sub("y_test.npy"), test.Y);

        var script = Path.Combine(AppContext.BaseDirectory, "interop", "pytorch", "train_ddp.py");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var (code, stdout, stderr) = PythonTorch.Start(Torchrun,
            // --redirects 2 --tee 2: Debian's torchrun 1.13 on Python 3.11 fails with "'NoneType' object has no attribute 'get'" on
            // the default 0 (Python 3.11's IntFlag iteration skips the zero member that torch's Std.from_str looks for).
            ["--standalone", "--nproc_per_node=2", "--redirects", "2", "--tee", "2", script, "--model-dir", temp.Sub("exported"),
             "--x-train", temp.Sub("x_train.npy"), "--y-train", temp.Sub("y_train.npy"), "--x-test", temp.Sub("x_test.npy"), "--y-test", temp.Sub("y_test.npy"),
             "--epochs", "5", "--lr", "0.1", "--batch-size", "32", "--seed", "7", "--out", temp.Sub("trained")],
            TimeSpan.FromMinutes(4), new Dictionary<string, string> { ["OMP_NUM_THREADS"] = "1", ["GLOO_SOCKET_IFNAME"] = "lo" });
        Assert.True(code == 0, $"torchrun exited with {code}:\n{stdout}\n{stderr}");
        output.WriteLine(stdout);

        using var json = JsonDocument.Parse(File.ReadAllText(temp.Sub("trained", "evaluation.json")));
        var e = json.RootElement;
        Assert.Equal(2, e.GetProperty("world_size").GetInt32());
        double torchLoss = e.GetProperty("loss").GetDouble(), torchAccuracy = e.GetProperty("accuracy").GetDouble();

        var report = model.LoadPyTorchWeights(temp.Sub("trained", "state_dict.pt"));
        Assert.Empty(report.Missing);
        var ours = model.Evaluate(test);
        output.WriteLine($"torchrun 2 processes, {clock.Elapsed.TotalSeconds:0.0} s wall: PyTorch loss {torchLoss:F6} accuracy {torchAccuracy:P2}; "
            + $".NET Evaluate loss {ours.Loss:F6} accuracy {ours.Accuracy:P2}; accuracy before training {before:P2}");
        Assert.True(Math.Abs(ours.Loss - torchLoss) < 1e-4, $".NET Evaluate loss {ours.Loss:F6} vs PyTorch's {torchLoss:F6} (tolerance 1e-4).");
        Assert.True(Math.Abs(ours.Accuracy - torchAccuracy) <= 1.0 / test.Count + 1e-9, $".NET accuracy {ours.Accuracy:P2} vs PyTorch's {torchAccuracy:P2} (at most one sample apart).");
        // Measured: 88.4% (seed 7; 80.4% after 3 epochs on half the digits). The threshold leaves a margin of about 4 points.
        Assert.True(torchAccuracy > 0.84 && torchAccuracy > before + 0.3, $"data-parallel training on the 4,000 fixture digits reached {torchAccuracy:P1} (threshold 84%, from {before:P1}).");
    }
}
