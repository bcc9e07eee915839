using TransferNotebooks.Kernel;
using TransferNotebooks.Kernel.Languages;
using TransferNotebooks.Kernel.Protocol;

const string usage = """
    TransferNotebooks Jupyter kernel (F# and C#)
      install                                  write the tn-fsharp / tn-csharp kernelspecs ($JUPYTER_DATA_DIR or the user's Jupyter folder)
      uninstall                                remove them
      run <script.csx> [--] [args...]          run a C# script (dotnet-script's dialect) on the kernel's C# engine
      --language fsharp|csharp <connection>    run a kernel (what Jupyter starts)
    """;

if (args.Length == 0 || args[0] is "-h" or "--help") { Console.WriteLine(usage); return args.Length == 0 ? 1 : 0; }
if (args[0] == "install") return Install.Run();
if (args[0] == "uninstall") return Install.Uninstall();
if (args[0] == "run") return ScriptRunner.Run(args[1..]);

string? language = null, connectionFile = null;
for (var i = 0; i < args.Length; i++)
{
    if (args[i] is "--language" or "-l" && i + 1 < args.Length) language = args[++i];
    else if (!args[i].StartsWith('-')) connectionFile = args[i];
}
if (language is null || connectionFile is null) { Console.Error.WriteLine(usage); return 2; }

ILanguageEngine engine = language.ToLowerInvariant() switch
{
    "fsharp" or "f#" => new FSharpEngine(),
    "csharp" or "c#" => new CSharpEngine(),
    _ => throw new ArgumentException($"unknown language '{language}' (fsharp or csharp)"),
};
var connection = ConnectionInfo.Load(connectionFile);
Log.Info($"starting the {engine.Name} kernel on {connection.Ip} (pid {Environment.ProcessId})");
var code = new KernelServer(connection, engine).Run();
// Background threads (user code, timers) must not keep the process alive after a shutdown request.
Environment.Exit(code);
return code;
