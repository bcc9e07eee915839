using System.Globalization;

namespace TransferNotebooks.Cli.Demo;

/// <summary>Command-line options of the MNIST transfer demo.</summary>
public sealed record DemoOptions
{
    public bool Quick { get; init; }
    public string? DataDir { get; init; }
    public int Seed { get; init; } = 1;
    public int Seeds { get; init; } = 3;
    public int[] PerClass { get; init; } = [10, 100, 1000];
    public string OutDir { get; init; } = "artifacts/demo";
    public int PretrainEpochs { get; init; } = 6;
    public string? Pretrained { get; init; }

    public static DemoOptions Parse(string[] args)
    {
        var o = new DemoOptions();
        for (int i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            o = args[i] switch
            {
                "--quick" => o with { Quick = true, Seeds = 1, PerClass = [10, 100], PretrainEpochs = 2 },
                "--data-dir" => o with { DataDir = Next() },
                "--seed" => o with { Seed = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--seeds" => o with { Seeds = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--n" => o with { PerClass = Next().Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray() },
                "--out" => o with { OutDir = Next() },
                "--pretrained" => o with { Pretrained = Next() },
                "--pretrain-epochs" => o with { PretrainEpochs = int.Parse(Next(), CultureInfo.InvariantCulture) },
                _ => throw new ArgumentException($"Unknown option '{args[i]}'. Options: --quick --data-dir DIR --seed N --seeds K --n 10,100,1000 --out DIR --pretrain-epochs E --pretrained MODEL"),
            };
        }
        return o;
    }
}
