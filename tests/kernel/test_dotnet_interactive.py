#!/usr/bin/python3
"""Drives .NET Interactive's own Jupyter kernels (.net-fsharp, .net-csharp: Polyglot Notebooks' engine, the dotnet tool
pinned in .config/dotnet-tools.json) with jupyter_client, after the package is referenced, to check the kernel extension
the TransferNotebooks package carries (interactive-extensions/dotnet): the library's formatters render its tables, Plotly.NET
charts render (FSharp.Core 10.1 requests bound to the tool's 10.0), Fit's progress is one display updated in place, and the
stop button's Cancel path is covered in process by tests/TransferNotebooks.Interactive.Tests (see test_04).

Run with Debian's Python (/usr/bin/python3) after `dotnet interactive jupyter install --path $JUPYTER_DATA_DIR/kernels`.
The kernels start in a temporary folder whose NuGet.config names the repository's artifacts/feed, as a user's notebook
folder would. Prints `dotnet-interactive: N passed, M failed` and exits non-zero on any failure.
"""
import os
import queue
import re
import shutil
import sys
import tempfile
import time
import unittest

import jupyter_client

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_kernel import FEED, REPO, TimedResult  # noqa: E402  (paths and per-test durations, shared with the kernel tests)

LOG_DIR = os.environ.get("TN_KERNEL_LOG_DIR") or tempfile.mkdtemp(prefix="tn-dni-logs-")


class InteractiveTestBase:
    kernel_name = ""
    snippets = {}

    @classmethod
    def setUpClass(cls):
        # A notebook folder inside the repository (so `dotnet interactive` resolves through its tool manifest) holding only a
        # NuGet.config: the same way the walkthrough notebooks reach the local feed.
        cls.folder = tempfile.mkdtemp(prefix="dni-", dir=os.path.join(REPO, "artifacts"))
        with open(os.path.join(cls.folder, "NuGet.config"), "w") as f:
            f.write('<?xml version="1.0" encoding="utf-8"?>\n<configuration><packageSources>'
                    f'<add key="transfernotebooks-local" value="{FEED}" /></packageSources></configuration>\n')
        cls.log = open(os.path.join(LOG_DIR, cls.kernel_name + ".log"), "w")
        start = time.time()
        cls.km, cls.kc = jupyter_client.manager.start_new_kernel(kernel_name=cls.kernel_name, startup_timeout=180,
                                                                 stderr=cls.log, stdout=cls.log, cwd=cls.folder)
        cls.startup = time.time() - start
        reply, cls.load_outputs = cls.run_cell(cls, '#r "nuget: TransferNotebooks"', timeout=400)
        assert reply["status"] == "ok", reply

    @classmethod
    def tearDownClass(cls):
        if cls.km.is_alive():
            cls.km.shutdown_kernel(now=True)
        cls.kc.stop_channels()
        cls.log.close()
        shutil.rmtree(cls.folder, ignore_errors=True)

    def run_cell(self, code, timeout=180):
        outputs = []
        reply = self.kc.execute_interactive(code, timeout=timeout, output_hook=outputs.append, allow_stdin=False)
        return reply["content"], outputs

    def of_type(self, outputs, *types):
        return [m for m in outputs if m["msg_type"] in types]

    def text(self, outputs):
        parts = []
        for m in outputs:
            c = m["content"]
            if m["msg_type"] == "stream":
                parts.append(c["text"])
            elif "data" in c:
                parts.append(c["data"].get("text/plain", ""))
        return "".join(parts)

    def html(self, outputs):
        return "".join(m["content"]["data"].get("text/html", "") for m in outputs if "data" in m["content"])

    def drain_iopub(self):
        while True:
            try:
                self.kc.get_iopub_msg(timeout=0.5)
            except queue.Empty:
                return

    def test_01_extension_is_the_display_host_and_one_library_copy(self):
        reply, outputs = self.run_cell(self.snippets["host"])
        self.assertEqual(reply["status"], "ok", reply)
        self.assertIn("host=.NET Interactive display host copies=1", self.text(outputs))

    def test_02_summary_renders_the_library_table(self):
        reply, outputs = self.run_cell(self.snippets["summary"])
        self.assertEqual(reply["status"], "ok", reply)
        html = self.html(outputs)
        self.assertIn("tn-table", html)          # the library's formatter, not the generic object tree
        self.assertNotIn("dni-treeview", html)

    def test_03_chart_renders_offline(self):
        reply, outputs = self.run_cell(self.snippets["chart"])
        self.assertEqual(reply["status"], "ok", reply)
        html = self.html(outputs)
        self.assertNotIn("FSharp.Core", self.text(outputs) + html)
        self.assertIn("Plotly.newPlot", html)    # drawn by plotly.js...
        self.assertIsNone(re.search(r"<script[^>]*\bsrc=", html))  # ...inlined, not fetched from a CDN

    def test_04_fit_progress_updates_in_place(self):
        reply, outputs = self.run_cell(self.snippets["fit"].replace("EPOCHS", "2"), timeout=300)
        self.assertEqual(reply["status"], "ok", reply)
        progress = [m for m in self.of_type(outputs, "display_data") if "tn-progress" in m["content"]["data"].get("text/html", "")]
        self.assertEqual(len(progress), 1, outputs)
        display_id = progress[0]["content"]["transient"]["display_id"]
        updates = [u for u in self.of_type(outputs, "update_display_data") if u["content"]["transient"]["display_id"] == display_id]
        self.assertGreaterEqual(len(updates), 2)
        self.assertIn("Epoch 2/2", updates[-1]["content"]["data"]["text/html"])
        # The stop button is not driven from here: .NET Interactive 1.0.712001's Jupyter kernels end their process on SIGINT
        # (their kernelspec has no message interrupt mode) and do not answer interrupt_request while a cell runs (measured).
        # Polyglot Notebooks stops a cell with a Cancel command instead; tests/TransferNotebooks.Interactive.Tests checks that
        # Cancel stops Fit after the current batch, in a real CompositeKernel.


class DotNetInteractiveFSharp(InteractiveTestBase, unittest.TestCase):
    kernel_name = ".net-fsharp"
    snippets = {
        "host": ("open TransferNotebooks.Hosting\n"
                 "let copies = System.AppDomain.CurrentDomain.GetAssemblies() |> Array.filter (fun a -> a.GetName().Name = \"TransferNotebooks\") |> Array.length\n"
                 'printfn "host=%O copies=%d" DisplayHost.Current copies'),
        "summary": ("open TransferNotebooks.Models\nopen type TransferNotebooks.Keras\n"
                    "let small = new Sequential([ Dense(3, inputShape = [4]) ])\nsmall.Summary()"),
        "chart": "open TransferNotebooks.Charts\nPlot.ConfusionMatrix([ 0L; 1L; 1L; 0L ], [ 0L; 1L; 0L; 0L ])",
        "fit": ("open TransferNotebooks.Models\nopen type TransferNotebooks.Keras\n"
                'let model = new Sequential([ Dense(8, activation = "relu", inputShape = [4]); Dense(2, activation = "softmax") ])\n'
                'model.Compile(optimizer = "adam", loss = "sparse_categorical_crossentropy")\n'
                "let x = TorchSharp.torch.rand(256L, 4L)\nlet y = TorchSharp.torch.randint(2L, [| 256L |])\n"
                "let history = model.Fit(x, y, epochs = EPOCHS, batchSize = 32)"),
    }


class DotNetInteractiveCSharp(InteractiveTestBase, unittest.TestCase):
    kernel_name = ".net-csharp"
    snippets = {
        "host": ("using TransferNotebooks.Hosting;\n"
                 'var copies = AppDomain.CurrentDomain.GetAssemblies().Count(a => a.GetName().Name == "TransferNotebooks");\n'
                 'Console.WriteLine($"host={DisplayHost.Current} copies={copies}");'),
        "summary": ("using TransferNotebooks.Models;\nusing static TransferNotebooks.Keras;\n"
                    "var small = new Sequential(Dense(3, inputShape: [4]));\nsmall.Summary()"),
        "chart": "using TransferNotebooks.Charts;\nPlot.ConfusionMatrix(new long[] { 0, 1, 1, 0 }, new long[] { 0, 1, 0, 0 })",
        "fit": ("using TransferNotebooks.Models;\nusing static TransferNotebooks.Keras;\n"
                'var model = new Sequential(Dense(8, activation: "relu", inputShape: [4]), Dense(2, activation: "softmax"));\n'
                'model.Compile(optimizer: "adam", loss: "sparse_categorical_crossentropy");\n'
                "var x = TorchSharp.torch.rand(256, 4);\nvar y = TorchSharp.torch.randint(2, new long[] { 256 });\n"
                "var history = model.Fit(x, y, epochs: EPOCHS, batchSize: 32);"),
    }


def main():
    start = time.time()
    suite = unittest.TestSuite()
    loader = unittest.TestLoader()
    only = sys.argv[1:]
    for case in (DotNetInteractiveFSharp, DotNetInteractiveCSharp):
        if not only or case.__name__ in only:
            suite.addTests(loader.loadTestsFromTestCase(case))
    result = unittest.TextTestRunner(verbosity=2, stream=sys.stdout, resultclass=TimedResult).run(suite)
    failed = len(result.failures) + len(result.errors)
    passed = result.testsRun - failed - len(result.skipped)
    print("kernel logs: " + LOG_DIR)
    print("dotnet-interactive: %d passed, %d failed (%.0f s)" % (passed, failed, time.time() - start))
    return 0 if failed == 0 and result.testsRun > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
