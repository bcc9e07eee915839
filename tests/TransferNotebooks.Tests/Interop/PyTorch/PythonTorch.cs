using System.Diagnostics;

namespace TransferNotebooks.Tests.Interop.PyTorch;

/// <summary>Runs Debian's /usr/bin/python3 with torch (python3-torch) as a subprocess, failing with the fix when torch is missing.</summary>
static class PythonTorch
{
    public const string Python = "/usr/bin/python3";

    static readonly Lazy<string?> Missing = new(() =>
    {
        if (!File.Exists(Python)) return $"{Python} is missing.";
        var (code, _, err) = Start(Python, ["-c", "import torch, numpy"], TimeSpan.FromMinutes(2));
        return code == 0 ? null : $"{Python} cannot import torch and numpy ({err.Trim().Split('\n').LastOrDefault()}).";
    });

    /// <summary>Fails the test, naming the fix, when the system Python lacks torch.</summary>
    public static void Require()
    {
        if (Missing.Value is { } problem)
            Assert.Fail($"{problem} These tests check the PyTorch export with Debian's python3-torch: run ./scripts/setup (it installs python3-torch and python3-numpy).");
    }

    /// <summary>Runs a program to completion and returns its exit code and output.</summary>
    public static (int Code, string Out, string Err) Start(string program, IEnumerable<string> args, TimeSpan timeout, IDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) info.ArgumentList.Add(a);
        foreach (var (k, v) in environment ?? new Dictionary<string, string>()) info.Environment[k] = v;
        using var p = Process.Start(info)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeout))
        {
            p.Kill(entireProcessTree: true);
            Assert.Fail($"{program} {string.Join(" ", args)} ran longer than {timeout.TotalSeconds:0} s.");
        }
        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Runs a script from the test output folder with the system Python; fails with its output on a non-zero exit.</summary>
    public static string Run(string script, IEnumerable<string> args, TimeSpan? timeout = null)
    {
        Require();
        var path = Path.Combine(AppContext.BaseDirectory, "Interop", "PyTorch", script);
        var (code, stdout, stderr) = Start(Python, [path, .. args], timeout ?? TimeSpan.FromMinutes(5));
        if (code != 0) Assert.Fail($"{script} exited with {code}:\n{stdout}\n{stderr}");
        return stdout;
    }
}
