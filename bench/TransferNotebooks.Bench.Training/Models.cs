using TorchSharp;
using TransferNotebooks.Models;
using static TorchSharp.torch;
using static TransferNotebooks.Keras;

namespace TransferNotebooks.Bench.Training;

/// <summary>One benchmark model in its two forms: the library's Keras model and the idiomatic TorchSharp module.</summary>
sealed record ModelCase(
    string Name,
    int BatchSize,
    Func<Sequential> Keras,
    Func<nn.Module<Tensor, Tensor>> Torch,
    Func<nn.Module<Tensor, Tensor>, optim.Optimizer> TorchOptimizer,
    Func<Loss<Tensor, Tensor, Tensor>> TorchLoss,
    Func<Tensor, Tensor> TorchInput,
    Func<Tensor, Tensor> TorchTarget);

static class BenchModels
{
    public static ModelCase Mlp => new("mlp", 128,
        () => Compile(new Sequential(Flatten(inputShape: [28, 28]), Dense(512, activation: "relu"), Dense(10, activation: "softmax"))),
        () => nn.Sequential(("flatten", nn.Flatten()), ("fc1", nn.Linear(784, 512)), ("relu", nn.ReLU()), ("fc2", nn.Linear(512, 10))),
        m => optim.Adam(m.parameters(), lr: 0.001, eps: 1e-7),
        () => nn.CrossEntropyLoss(),
        x => x.alias(),
        y => y.alias());

    public static ModelCase Cnn => new("cnn", 128,
        () => Compile(new Sequential(
            Conv2D(16, 3, activation: "relu", inputShape: [28, 28, 1]), MaxPooling2D(),
            Conv2D(32, 3, activation: "relu"), MaxPooling2D(),
            Flatten(), Dense(64, activation: "relu"), Dense(10, activation: "softmax"))),
        () => nn.Sequential(
            ("conv1", nn.Conv2d(1, 16, 3)), ("relu1", nn.ReLU()), ("pool1", nn.MaxPool2d(2)),
            ("conv2", nn.Conv2d(16, 32, 3)), ("relu2", nn.ReLU()), ("pool2", nn.MaxPool2d(2)),
            ("flatten", nn.Flatten()), ("fc1", nn.Linear(32 * 5 * 5, 64)), ("relu3", nn.ReLU()), ("fc2", nn.Linear(64, 10))),
        m => optim.Adam(m.parameters(), lr: 0.001, eps: 1e-7),
        () => nn.CrossEntropyLoss(),
        x => x.unsqueeze(1).contiguous(), // [N, 1, 28, 28], prepared once as a torch user would
        y => y.alias());

    public static ModelCase Imdb => new("imdb", 512,
        () =>
        {
            var m = new Sequential(Dense(16, activation: "relu", inputShape: [10000]), Dense(16, activation: "relu"), Dense(1, activation: "sigmoid"));
            m.Compile(optimizer: "rmsprop", loss: "binary_crossentropy", metrics: ["accuracy"]);
            return m;
        },
        () => nn.Sequential(("fc1", nn.Linear(10000, 16)), ("relu1", nn.ReLU()), ("fc2", nn.Linear(16, 16)), ("relu2", nn.ReLU()), ("fc3", nn.Linear(16, 1))),
        m => optim.RMSProp(m.parameters(), lr: 0.001, alpha: 0.9, eps: 1e-7),
        () => nn.BCEWithLogitsLoss(),
        x => x.alias(),
        y => y.reshape(-1, 1).contiguous());

    public static ModelCase Get(string name) => name switch
    {
        "mlp" => Mlp,
        "cnn" => Cnn,
        "imdb" => Imdb,
        _ => throw new ArgumentException($"Unknown model '{name}' (mlp, cnn, imdb)."),
    };

    static Sequential Compile(Sequential m)
    {
        m.Compile(optimizer: "adam", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
        return m;
    }
}
