#!/usr/bin/python3
"""Drives the TransferNotebooks kernels (tn-fsharp, tn-csharp) with jupyter_client, as Jupyter front ends do.

Run with Debian's Python (/usr/bin/python3) after `TransferNotebooks.Kernel install` into JUPYTER_DATA_DIR.
Prints a final line `kernel: N passed, M failed` and exits non-zero on any failure.
"""
import json
import os
import queue
import subprocess
import sys
import tempfile
import time
import unittest

import jupyter_client
import nbformat
import zmq
from jupyter_client.session import Session

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
FEED = os.path.join(REPO, "artifacts", "feed")
LOG_DIR = os.environ.get("TN_KERNEL_LOG_DIR") or tempfile.mkdtemp(prefix="tn-kernel-logs-")


class KernelTestBase:
    kernel_name = ""
    snippets = {}

    @classmethod
    def setUpClass(cls):
        cls.log_path = os.path.join(LOG_DIR, cls.kernel_name + ".log")
        cls.log = open(cls.log_path, "w")
        start = time.time()
        cls.km, cls.kc = jupyter_client.manager.start_new_kernel(kernel_name=cls.kernel_name, startup_timeout=90, stderr=cls.log)
        cls.startup = time.time() - start

    @classmethod
    def tearDownClass(cls):
        if cls.km.is_alive():
            cls.km.shutdown_kernel(now=True)
        cls.kc.stop_channels()
        cls.log.close()

    def run_cell(self, code, timeout=120):
        outputs = []
        reply = self.kc.execute_interactive(code, timeout=timeout, output_hook=outputs.append, allow_stdin=False)
        return reply["content"], outputs

    def of_type(self, outputs, *types):
        return [m for m in outputs if m["msg_type"] in types]

    def stdout(self, outputs):
        return "".join(m["content"]["text"] for m in outputs if m["msg_type"] == "stream" and m["content"]["name"] == "stdout")

    def read_log(self):
        self.log.flush()
        with open(self.log_path) as f:
            return f.read()

    def test_01_value(self):
        reply, outputs = self.run_cell(self.snippets["value"])
        self.assertEqual(reply["status"], "ok")
        results = self.of_type(outputs, "execute_result")
        self.assertEqual(len(results), 1)
        self.assertEqual(results[0]["content"]["data"]["text/plain"], "42")
        self.assertEqual(results[0]["content"]["execution_count"], reply["execution_count"])
        states = [m["content"]["execution_state"] for m in self.of_type(outputs, "status")]
        self.assertEqual(states, ["busy", "idle"])

    def test_02_stdout(self):
        reply, outputs = self.run_cell(self.snippets["stdout"])
        self.assertEqual(reply["status"], "ok")
        self.assertEqual(self.stdout(outputs), "hello\nworld\n")
        self.assertEqual(self.of_type(outputs, "execute_result"), [])

    def test_03_exception(self):
        reply, outputs = self.run_cell(self.snippets["exception"])
        self.assertEqual(reply["status"], "error")
        self.assertIn("InvalidOperationException", reply["ename"])
        self.assertEqual(reply["evalue"], "boom")
        self.assertTrue(any("boom" in line for line in reply["traceback"]))
        errors = self.of_type(outputs, "error")
        self.assertEqual(len(errors), 1)
        # A compile error is an error reply too, with the position in the traceback.
        reply, _ = self.run_cell(self.snippets["compile_error"])
        self.assertEqual(reply["status"], "error")
        self.assertEqual(reply["ename"], "CompilationError")
        self.assertTrue(any("(1," in line for line in reply["traceback"]), reply["traceback"])
        # The kernel lives on.
        reply, outputs = self.run_cell(self.snippets["value"])
        self.assertEqual(reply["status"], "ok")

    def test_04_state(self):
        reply, _ = self.run_cell(self.snippets["define"])
        self.assertEqual(reply["status"], "ok")
        reply, outputs = self.run_cell(self.snippets["use"])
        self.assertEqual(reply["status"], "ok")
        self.assertEqual(self.of_type(outputs, "execute_result")[0]["content"]["data"]["text/plain"], "42")

    def test_05_nuget(self):
        reply, outputs = self.run_cell(self.snippets["nuget"], timeout=180)
        self.assertEqual(reply["status"], "ok", reply)
        self.assertIn('{"a":1}', self.of_type(outputs, "execute_result")[0]["content"]["data"]["text/plain"])
        reply, _ = self.run_cell(self.snippets["nuget_missing"], timeout=180)
        self.assertEqual(reply["status"], "error")

    def test_06_html_display(self):
        reply, outputs = self.run_cell(self.snippets["html"])
        self.assertEqual(reply["status"], "ok")
        displays = self.of_type(outputs, "display_data")
        self.assertEqual(len(displays), 1)
        self.assertIn("<b>bold</b>", displays[0]["content"]["data"]["text/html"])
        self.assertTrue(displays[0]["content"]["transient"]["display_id"])

    def test_07_library_display_progress_and_interrupt(self):
        """The notebook's copy of TransferNotebooks (from artifacts/feed) gets the kernel's display host and stop button."""
        reply, outputs = self.run_cell(self.snippets["library"].replace("FEED", FEED), timeout=240)
        self.assertEqual(reply["status"], "ok", reply)
        displays = self.of_type(outputs, "display_data")
        updates = self.of_type(outputs, "update_display_data")
        self.assertEqual(len(displays), 1)
        self.assertEqual(len(updates), 1)
        self.assertEqual(displays[0]["content"]["data"]["text/plain"], "epoch 1/2")
        self.assertEqual(updates[0]["content"]["data"]["text/html"], "<b>epoch 2/2</b>")
        self.assertEqual(displays[0]["content"]["transient"]["display_id"], updates[0]["content"]["transient"]["display_id"])
        self.assertEqual(self.stdout(outputs).strip(), "notebook=true copies=1")
        # Cooperative interrupt: a loop polling Interruption.Token (as Fit does) stops by itself and the cell ends normally
        # ("ok"; the kernel's abort after the grace period would make it a KeyboardInterrupt error).
        msg_id = self.kc.execute(self.snippets["poll_interrupt"])
        time.sleep(1.0)
        self.km.interrupt_kernel()
        reply = self.kc.get_shell_msg(timeout=30)
        self.assertEqual(reply["parent_header"]["msg_id"], msg_id)
        self.assertEqual(reply["content"]["status"], "ok", reply["content"])
        self.drain_iopub()
        # The real thing: the training loop's progress display and stop button (the library is loaded by now).
        self.check_fit_progress_and_interrupt()

    def drain_iopub(self):
        while True:
            try:
                self.kc.get_iopub_msg(timeout=0.3)
            except queue.Empty:
                return

    def test_08_interrupt(self):
        msg_id = self.kc.execute(self.snippets["long_loop"])
        time.sleep(1.0)
        start = time.time()
        self.km.interrupt_kernel()
        reply = self.kc.get_shell_msg(timeout=30)
        self.assertEqual(reply["parent_header"]["msg_id"], msg_id)
        self.assertEqual(reply["content"]["status"], "error")
        self.assertEqual(reply["content"]["ename"], "KeyboardInterrupt")
        self.assertLess(time.time() - start, 10)
        self.drain_iopub()
        reply, outputs = self.run_cell(self.snippets["use"])
        self.assertEqual(reply["status"], "ok")

    def test_09_bad_signature(self):
        info = self.km.get_connection_info()
        address = "%s://%s:%d" % (info["transport"], info["ip"], info["shell_port"])
        socket = zmq.Context.instance().socket(zmq.DEALER)
        socket.linger = 0
        socket.connect(address)
        try:
            content = {"code": self.snippets["value"], "silent": False, "store_history": True, "user_expressions": {}, "allow_stdin": False}
            for key in (b"not-the-key", b""):
                bad = Session(key=key, username="intruder")
                bad.send(socket, bad.msg("execute_request", content=content))
            self.assertEqual(socket.poll(1500), 0, "the kernel answered a wrongly signed message")
        finally:
            socket.close()
        log = self.read_log()
        self.assertIn("invalid signature", log)
        self.assertIn("unsigned message", log)
        reply, _ = self.run_cell(self.snippets["value"])
        self.assertEqual(reply["status"], "ok")

    def test_10_is_complete_and_complete(self):
        self.kc.is_complete(self.snippets["incomplete"])
        reply = self.kc.get_shell_msg(timeout=10)
        self.assertEqual(reply["content"]["status"], "incomplete")
        self.kc.is_complete(self.snippets["value"])
        self.assertEqual(self.kc.get_shell_msg(timeout=10)["content"]["status"], "complete")
        code, expected = self.snippets["completion"]
        self.kc.complete(code, len(code))
        reply = self.kc.get_shell_msg(timeout=30)["content"]
        self.assertIn(expected, reply["matches"])

    def test_11_plotly_offline(self):
        """Plotly.NET charts render offline: plotly.js inlined once per session, plus the plotly MIME type."""
        if "plotly" not in self.snippets:
            self.skipTest("no Plotly snippet for this language")
        bundles = []
        for code in (self.snippets["plotly"], self.snippets["plotly"].split("\n")[-1]):
            reply, outputs = self.run_cell(code, timeout=180)
            self.assertEqual(reply["status"], "ok", reply)
            bundles.append(self.of_type(outputs, "execute_result")[0]["content"]["data"])
        for data in bundles:
            self.assertEqual(data["application/vnd.plotly.v1+json"]["data"][0]["type"], "scatter")
            self.assertIn("Plotly.newPlot", data["text/html"])
            self.assertNotIn("<script src=", data["text/html"])  # nothing loaded from the network
        self.assertIn("plotly.js v", bundles[0]["text/html"])
        self.assertNotIn("plotly.js v", bundles[1]["text/html"])

    def test_12_queued_cells_abort_after_an_error(self):
        # The failing cell sleeps first so the second request is surely queued behind it, however loaded the machine is.
        failing = self.kc.execute(self.snippets["slow_exception"])
        queued = self.kc.execute(self.snippets["value"])
        replies = {}
        while len(replies) < 2:
            msg = self.kc.get_shell_msg(timeout=30)
            replies[msg["parent_header"]["msg_id"]] = msg["content"]["status"]
        self.assertEqual(replies, {failing: "error", queued: "aborted"})
        self.drain_iopub()
        reply, _ = self.run_cell(self.snippets["value"])
        self.assertEqual(reply["status"], "ok")

    def check_fit_progress_and_interrupt(self):
        """Fit's progress bar reaches the kernel as one display updated in place; interrupting Fit stops it cleanly."""
        reply, outputs = self.run_cell(self.snippets["fit"].replace("EPOCHS", "2"), timeout=240)
        self.assertEqual(reply["status"], "ok", reply)
        displays = self.of_type(outputs, "display_data")
        updates = self.of_type(outputs, "update_display_data")
        self.assertEqual(len(displays), 1)
        self.assertGreaterEqual(len(updates), 2)
        display_id = displays[0]["content"]["transient"]["display_id"]
        self.assertTrue(all(u["content"]["transient"]["display_id"] == display_id for u in updates))
        self.assertIn("Epoch 2/2", updates[-1]["content"]["data"]["text/html"])
        # A long Fit, interrupted: it observes Interruption.Token and returns after the current batch (status ok;
        # the kernel's forced abort after the grace period would be a KeyboardInterrupt error instead).
        msg_id = self.kc.execute(self.snippets["fit"].replace("EPOCHS", "100000"))
        deadline = time.time() + 120
        while time.time() < deadline:  # interrupt once training runs (its progress display appears)
            msg = self.kc.get_iopub_msg(timeout=120)
            if msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "update_display_data":
                break
        self.km.interrupt_kernel()
        reply = self.kc.get_shell_msg(timeout=60)
        self.assertEqual(reply["parent_header"]["msg_id"], msg_id)
        self.assertEqual(reply["content"]["status"], "ok", reply["content"])
        self.drain_iopub()

    def test_14_stdin(self):
        outputs = []
        reply = self.kc.execute_interactive(self.snippets["stdin"], timeout=60, allow_stdin=True,
                                            stdin_hook=lambda msg: self.kc.input("typed line"), output_hook=outputs.append)
        self.assertEqual(reply["content"]["status"], "ok")
        self.assertIn("TYPED LINE", self.of_type(outputs, "execute_result")[0]["content"]["data"]["text/plain"])

    def test_98_restart(self):
        if not self.snippets.get("restart"):
            self.skipTest("restart is language-independent: tested with one kernel")
        self.km.restart_kernel(now=False)
        self.kc.wait_for_ready(timeout=90)
        self.drain_iopub()
        reply, _ = self.run_cell(self.snippets["value"])
        self.assertEqual(reply["status"], "ok")
        reply, _ = self.run_cell(self.snippets["use"])
        self.assertEqual(reply["status"], "error", "state survived a restart")

    def test_99_shutdown(self):
        process = self.km.provisioner.process
        self.kc.shutdown()
        reply = self.kc.get_control_msg(timeout=15)
        self.assertEqual(reply["msg_type"], "shutdown_reply")
        self.assertEqual(reply["content"]["status"], "ok")
        self.assertEqual(process.wait(15), 0)


class FSharpKernel(KernelTestBase, unittest.TestCase):
    kernel_name = "tn-fsharp"
    snippets = {
        "value": "40 + 2",
        "stdout": 'printfn "hello"\nprintfn "world"',
        "exception": '(raise (System.InvalidOperationException "boom") : unit)',
        "slow_exception": 'System.Threading.Thread.Sleep 1500\n(raise (System.InvalidOperationException "boom") : unit)',
        "compile_error": "let y: int = \"not an int\"",
        "define": "let answer = 42",
        "use": "answer",
        "nuget": '#r "nuget: Newtonsoft.Json, 13.0.3"\nNewtonsoft.Json.JsonConvert.SerializeObject({| a = 1 |})',
        "nuget_missing": '#r "nuget: TransferNotebooks.NoSuchPackage, 9.9.9"\n1',
        "html": 'display (HTML "<b>bold</b>")',
        "library": (
            '#i "nuget: FEED"\n#r "nuget: TransferNotebooks"\n'
            "open TransferNotebooks.Hosting\n"
            'let handle = DisplayHost.Current.Show(MimeBundle.Text "epoch 1/2")\n'
            'handle.Update(MimeBundle.Html("<b>epoch 2/2</b>", "epoch 2/2"))\n'
            "let copies = System.AppDomain.CurrentDomain.GetAssemblies() |> Array.filter (fun a -> a.GetName().Name = \"TransferNotebooks\") |> Array.length\n"
            'printfn "notebook=%b copies=%d" DisplayHost.Current.IsNotebook copies'
        ),
        "poll_interrupt": "while not TransferNotebooks.Hosting.Interruption.Token.IsCancellationRequested do System.Threading.Thread.Sleep 10",
        "long_loop": "let mutable n = 0L\nwhile true do n <- n + 1L",
        "fit": (
            "open TransferNotebooks.Models\nopen type TransferNotebooks.Keras\n"
            'let model = new Sequential(Dense(8, activation = "relu", inputShape = [4]), Dense(2, activation = "softmax"))\n'
            'model.Compile(optimizer = "adam", loss = "sparse_categorical_crossentropy") |> ignore\n'
            "let x = TorchSharp.torch.rand(256L, 4L)\nlet y = TorchSharp.torch.randint(2L, [| 256L |])\n"
            "let history = model.Fit(x, y, epochs = EPOCHS, batchSize = 32)"
        ),
        "stdin": "stdin.ReadLine().ToUpper()",
        "incomplete": "let f x =",
        "completion": ("List.ma", "map"),
        "plotly": '#r "nuget: Plotly.NET, 6.0.0"\nopen Plotly.NET\nChart.Point([1; 2; 3], [4; 5; 6])',
    }


class CSharpKernel(KernelTestBase, unittest.TestCase):
    kernel_name = "tn-csharp"
    snippets = {
        "value": "40 + 2",
        "stdout": 'Console.WriteLine("hello");\nConsole.WriteLine("world");',
        "exception": 'throw new InvalidOperationException("boom");',
        "slow_exception": 'System.Threading.Thread.Sleep(1500);\nthrow new InvalidOperationException("boom");',
        "compile_error": 'int y = "not an int";',
        "define": "var answer = 42;",
        "use": "answer",
        "nuget": '#r "nuget: Newtonsoft.Json, 13.0.3"\nNewtonsoft.Json.JsonConvert.SerializeObject(new { a = 1 })',
        "nuget_missing": '#r "nuget: TransferNotebooks.NoSuchPackage, 9.9.9"\n1',
        "html": 'display(HTML("<b>bold</b>"));',
        "library": (
            '#i "nuget: FEED"\n#r "nuget: TransferNotebooks"\n'
            "using TransferNotebooks.Hosting;\n"
            'var handle = DisplayHost.Current.Show(MimeBundle.Text("epoch 1/2"));\n'
            'handle.Update(MimeBundle.Html("<b>epoch 2/2</b>", "epoch 2/2"));\n'
            'var copies = AppDomain.CurrentDomain.GetAssemblies().Count(a => a.GetName().Name == "TransferNotebooks");\n'
            'Console.WriteLine($"notebook={DisplayHost.Current.IsNotebook.ToString().ToLower()} copies={copies}");'
        ),
        "poll_interrupt": "while (!TransferNotebooks.Hosting.Interruption.Token.IsCancellationRequested) Thread.Sleep(10);",
        "long_loop": "long n = 0; while (true) { n++; }",
        "fit": (
            "using TransferNotebooks.Models;\nusing static TransferNotebooks.Keras;\n"
            'var model = new Sequential(Dense(8, activation: "relu", inputShape: new[] { 4 }), Dense(2, activation: "softmax"));\n'
            'model.Compile(optimizer: "adam", loss: "sparse_categorical_crossentropy");\n'
            "var x = TorchSharp.torch.rand(256, 4);\nvar y = TorchSharp.torch.randint(2, new long[] { 256 });\n"
            "var history = model.Fit(x, y, epochs: EPOCHS, batchSize: 32);"
        ),
        "stdin": "Console.ReadLine().ToUpper()",
        "restart": True,
        "incomplete": "if (answer > 1) {",
        "completion": ("Console.WriteL", "WriteLine"),
    }


class Notebooks(unittest.TestCase):
    """Executes a small notebook per language with nbconvert, as a CI or a user would."""

    def execute(self, kernel, name):
        source = os.path.join(HERE, "notebooks", name)
        out_dir = tempfile.mkdtemp(prefix="tn-nb-")
        jupyter = "/usr/bin/jupyter" if os.path.exists("/usr/bin/jupyter") else None
        cmd = ([jupyter, "nbconvert"] if jupyter else [sys.executable, "-m", "nbconvert"]) + [
            "--execute", "--to", "notebook", "--ExecutePreprocessor.kernel_name=" + kernel,
            "--ExecutePreprocessor.timeout=120", "--output-dir", out_dir, source]
        subprocess.run(cmd, check=True, capture_output=True, timeout=240)
        nb = nbformat.read(os.path.join(out_dir, name), as_version=4)
        nbformat.validate(nb)
        outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
        self.assertTrue(any(o.output_type == "execute_result" and o.data.get("text/plain") == "42" for o in outputs), outputs)
        self.assertTrue(any(o.output_type == "stream" and "hello" in o.text for o in outputs), outputs)
        self.assertTrue(any(o.output_type == "display_data" and "<b>bold</b>" in o.data.get("text/html", "") for o in outputs), outputs)
        self.assertEqual([o for o in outputs if o.output_type == "error"], [])

    def test_csharp_nuget_config_beside_the_notebook(self):
        """A C# notebook in a user's folder: a NuGet.config there names the feed, and `#r "nuget:"` alone finds the package
        (no `#i`). nbconvert starts the kernel in the notebook's folder, as Jupyter does."""
        folder = tempfile.mkdtemp(prefix="tn-nb-config-")
        with open(os.path.join(folder, "NuGet.config"), "w") as f:
            f.write('<?xml version="1.0" encoding="utf-8"?>\n<configuration>\n  <packageSources>\n'
                    f'    <add key="transfernotebooks-local" value="{FEED}" />\n  </packageSources>\n</configuration>\n')
        nb = nbformat.v4.new_notebook()
        nb.cells = [nbformat.v4.new_code_cell('#r "nuget: TransferNotebooks"'),
                    nbformat.v4.new_code_cell('Console.WriteLine(typeof(TransferNotebooks.Keras).Assembly.GetName().Name + " loaded");')]
        nbformat.write(nb, os.path.join(folder, "mine.ipynb"))
        out_dir = tempfile.mkdtemp(prefix="tn-nb-")
        jupyter = "/usr/bin/jupyter" if os.path.exists("/usr/bin/jupyter") else None
        cmd = ([jupyter, "nbconvert"] if jupyter else [sys.executable, "-m", "nbconvert"]) + [
            "--execute", "--to", "notebook", "--ExecutePreprocessor.kernel_name=tn-csharp",
            "--ExecutePreprocessor.timeout=180", "--output-dir", out_dir, os.path.join(folder, "mine.ipynb")]
        run = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
        self.assertEqual(run.returncode, 0, run.stderr[-2000:])
        outputs = [o for c in nbformat.read(os.path.join(out_dir, "mine.ipynb"), as_version=4).cells for o in c.outputs]
        self.assertEqual([o for o in outputs if o.output_type == "error"], [])
        self.assertTrue(any(o.output_type == "stream" and "TransferNotebooks loaded" in o.text for o in outputs), outputs)

    def test_fsharp_notebook(self):
        self.execute("tn-fsharp", "fsharp.ipynb")

    def test_csharp_notebook(self):
        self.execute("tn-csharp", "csharp.ipynb")


class TimedResult(unittest.TextTestResult):
    """Prints each test's duration (the suite has a time budget)."""

    def startTest(self, test):
        self._started = time.time()
        super().startTest(test)

    def stopTest(self, test):
        super().stopTest(test)
        self.stream.write("    %.1f s\n" % (time.time() - self._started))


def main():
    start = time.time()
    suite = unittest.TestSuite()
    loader = unittest.TestLoader()
    only = sys.argv[1:]
    for case in (FSharpKernel, CSharpKernel, Notebooks):
        if not only or case.__name__ in only:
            suite.addTests(loader.loadTestsFromTestCase(case))
    result = unittest.TextTestRunner(verbosity=2, stream=sys.stdout, resultclass=TimedResult).run(suite)
    failed = len(result.failures) + len(result.errors)
    passed = result.testsRun - failed - len(result.skipped)
    print("kernel logs: " + LOG_DIR)
    print("kernel: %d passed, %d failed (%.0f s)" % (passed, failed, time.time() - start))
    return 0 if failed == 0 and result.testsRun > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
