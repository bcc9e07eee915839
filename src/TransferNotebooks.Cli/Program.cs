using TransferNotebooks.Native;

namespace TransferNotebooks.Cli;

/// <summary>The command-line front end: <c>doctor</c> and <c>demo</c>.</summary>
public static class Program
{
    public static int Main(string[] args)
    {
        var command = args.Length > 0 ? args[0] : "help";
        var rest = args.Skip(1).ToArray();
        switch (command)
        {
            case "doctor":
                var report = Doctor.Run(fix: rest.Contains("--fix"));
                Console.Write(report);
                return report.Healthy ? 0 : 1;
            case "demo":
                return Demo.TransferDemo.Run(Demo.DemoOptions.Parse(rest));
            default:
                Console.WriteLine("usage: transfernotebooks doctor [--fix] | demo [--quick] [--data-dir DIR] [--seed N] [--seeds K] [--n 10,100,1000] [--out DIR]");
                return command == "help" ? 0 : 2;
        }
    }
}
