#!/usr/bin/python3
"""Collects the JSON files bench/run wrote into a work folder and writes bench/results.json and docs/benchmarks.md.
Usage: python3 bench/report.py WORK_DIR RESULTS_JSON MARKDOWN"""
import glob
import json
import os
import platform
import statistics
import subprocess
import sys
from datetime import datetime, timezone

work, results_path, md_path = sys.argv[1:4]


def load(pattern):
    out = []
    for p in sorted(glob.glob(os.path.join(work, pattern))):
        with open(p) as f:
            out.append(json.load(f))
    return out


def sh(cmd):
    try:
        return subprocess.run(cmd, shell=True, capture_output=True, text=True, timeout=30).stdout.strip()
    except Exception:
        return ""


def median(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def fmt(v, digits=0):
    if v is None:
        return "-"
    return f"{v:,.{digits}f}"


def ratio(a, b):
    return a / b if a and b else None


# ---------------------------------------------------------------- gather
speed = {}
for r in load("dotnet-speed-*.json"):
    m = speed.setdefault(r["model"], {"runs": {}, "samples": r["samples"], "batch_size": r["batch_size"], "epochs_per_run": r["epochs_per_run"]})
    for v, runs in r["runs"].items():
        m["runs"].setdefault(v, []).extend(runs)
    for v, jit in r.get("jit_ms", {}).items():
        m.setdefault("jit_ms", {}).setdefault(v, []).extend(jit)
for m in speed.values():
    m["median"] = {v: median(runs) for v, runs in m["runs"].items()}

peer = {}
peer_meta = {}
for kind in ("openblas", "reference"):
    for r in load(f"pytorch-{kind}-*.json"):
        peer_meta[kind] = {k: r[k] for k in ("torch", "python", "threads", "blas", "omp_wait_policy")}
        for name, m in r["models"].items():
            p = peer.setdefault(kind, {}).setdefault(name, {"runs": {}, "samples": m["samples"]})
            for v, runs in m["runs"].items():
                p["runs"].setdefault(v, []).extend(runs)
        if "latency" in r:
            peer.setdefault(kind, {})["latency"] = r["latency"]
for kind, models in peer.items():
    for name, m in models.items():
        if name != "latency":
            m["median"] = {v: median(runs) for v, runs in m["runs"].items()}

# Each process pair p wrote dotnet-speed-<model>-p.json and pytorch-openblas-p.json: the ratios within one pair, pair by pair,
# show how much of a difference is noise (the spread a reader needs).
pairs = {}
for path in sorted(glob.glob(os.path.join(work, "dotnet-speed-*-*.json"))):
    model, pair = os.path.basename(path)[len("dotnet-speed-"):-len(".json")].rsplit("-", 1)
    with open(path) as f:
        doc = json.load(f)
    runs = doc["runs"]
    row = {"pair": int(pair), "fit_over_hand": ratio(median(runs.get("fit", [])), median(runs.get("hand", []))), "first": doc.get("first")}
    peer_path = os.path.join(work, f"pytorch-openblas-{pair}.json")
    if os.path.exists(peer_path):
        with open(peer_path) as f:
            loop = json.load(f)["models"].get(model, {}).get("runs", {}).get("loop", [])
        row["fit_over_pytorch"] = ratio(median(runs.get("fit", [])), median(loop))
    pairs.setdefault(model, []).append(row)


def first_mark(first):
    """F: Fit ran first after the warm-up in that process, H: the hand loop did (bench/run alternates it)."""
    return {"fit": " F", "hand": " H"}.get(first or "", "")


def per_process(ratios, firsts):
    """That process's Fit / hand with which loop went first after the warm-up, e.g. '0.93 F, 1.02 H'."""
    firsts = list(firsts) + [None] * (len(ratios) - len(firsts))
    return ", ".join(fmt(x, 2) + first_mark(f) for x, f in zip(ratios, firsts) if x)


def spread(rows, key):
    xs = [r[key] for r in rows if r.get(key) is not None]
    return (min(xs), max(xs)) if xs else None


# The active-wait rows come from several processes (dotnet-activewait-<model>-<p>.json): runs pooled, ratio per process kept.
active = {}
for r in load("dotnet-activewait-*.json"):
    a = active.setdefault(r["model"], {"model": r["model"], "runs": {}, "per_process_fit_over_hand": [], "per_process_first": []})
    for v, runs in r["runs"].items():
        a["runs"].setdefault(v, []).extend(runs)
    a["per_process_fit_over_hand"].append(r.get("fit_over_hand"))
    a["per_process_first"].append(r.get("first"))
for a in active.values():
    a["median"] = {v: median(runs) for v, runs in a["runs"].items()}
# Steady state (dotnet-steady-<policy>-<model>-<p>.json): after many warm-up calls, per wait policy; runs pooled, ratio per process kept.
steady = {}
for path in sorted(glob.glob(os.path.join(work, "dotnet-steady-*.json"))):
    policy = os.path.basename(path)[len("dotnet-steady-"):].split("-", 1)[0]
    with open(path) as f:
        r = json.load(f)
    s = steady.setdefault(policy, {}).setdefault(r["model"], {"runs": {}, "jit_ms": {}, "round_ratios": [], "per_process_fit_over_hand": [],
                                                             "per_process_first": [], "warmup": None})
    for v, runs in r["runs"].items():
        s["runs"].setdefault(v, []).extend(runs)
    for v, jit in r.get("jit_ms", {}).items():
        s["jit_ms"].setdefault(v, []).extend(jit)
    # A round runs Fit and the hand loop back to back: their ratio within the round cancels the machine's slower stretches
    # (absolute speeds differed up to 1.8x between processes here).
    rounds = [a / b for a, b in zip(r["runs"].get("fit", []), r["runs"].get("hand", [])) if a and b]
    s["round_ratios"].extend(rounds)
    s["per_process_fit_over_hand"].append(median(rounds) if rounds else None)
    s["per_process_first"].append(r.get("first"))
    s["warmup"] = r.get("warmup")
for models in steady.values():
    for s in models.values():
        s["median"] = {v: median(runs) for v, runs in s["runs"].items()}
        s["fit_over_hand"] = median(s["round_ratios"]) if s["round_ratios"] else None
nomalloc = {r["model"]: r for r in load("dotnet-nomalloc-*.json")}
nomkl = {r["model"]: r for r in load("dotnet-nomkl-*.json")}
tuned_peer = {}
for r in load("pytorch-tunedmalloc-*.json"):
    for name, m in r["models"].items():
        tuned_peer.setdefault(name, []).extend(m["runs"].get("loop", []))
functional = {r["model"]: r for r in load("dotnet-functional-*.json")}
memory = {r["subject"]: r for r in load("dotnet-memory-*.json")}
latency = (load("dotnet-latency.json") or [{}])[0].get("latency", {})
onnx_latency = (load("dotnet-onnx-latency.json") or [{}])[0].get("onnx_latency", {})
dotnet_meta = (load("dotnet-speed-*.json") or [{}])[0]
data_text = ""
if os.path.exists(os.path.join(work, "data.txt")):
    with open(os.path.join(work, "data.txt")) as f:
        # Keep the timings; drop the decoded sample review (long lines).
        data_text = "\n".join(l for l in f.read().strip().splitlines() if len(l) <= 200 and not l.startswith("  first indices"))

layers_text = ""
if os.path.exists(os.path.join(work, "layers.txt")):
    with open(os.path.join(work, "layers.txt")) as f:
        layers_text = "\n".join(l for l in f.read().strip().splitlines() if not l.startswith("=="))

figures = {}
for name, m in speed.items():
    med = m["median"]
    ob = peer.get("openblas", {}).get(name, {}).get("median", {})
    ref = peer.get("reference", {}).get(name, {}).get("median", {})
    figures[name] = {
        "fit": med.get("fit"), "hand": med.get("hand"), "floor": med.get("floor"), "floor_library": med.get("floor_keras"),
        "fit_over_hand": ratio(med.get("fit"), med.get("hand")),
        "fit_over_floor": ratio(med.get("fit"), med.get("floor")),
        "hand_over_floor": ratio(med.get("hand"), med.get("floor")),
        "fit_over_library_floor": ratio(med.get("fit"), med.get("floor_keras")),
        "pytorch_openblas_loop": ob.get("loop"), "pytorch_openblas_floor": ob.get("floor"),
        "pytorch_reference_blas_loop": ref.get("loop"),
        "fit_over_pytorch_openblas": ratio(med.get("fit"), ob.get("loop")),
        "fit_over_pytorch_reference_blas": ratio(med.get("fit"), ref.get("loop")),
    }

# The vector extensions that decide which kernels oneDNN and the BLAS pick: figures from CPUs with other sets do not transfer.
VECTOR_FLAGS = ["avx", "avx2", "fma", "avx512f", "avx512bw", "avx512vl", "avx512_vnni", "avx512_bf16", "avx_vnni", "amx_tile", "amx_bf16", "amx_int8"]
cpu_flags = set((sh("grep -m1 '^flags' /proc/cpuinfo").split(":", 1) + [""])[1].split())
machine = {
    "cpu": sh("lscpu | sed -n 's/^Model name: *//p' | head -1"),
    "cpu_family_model": sh("lscpu | sed -n 's/^CPU family: *//p; s/^Model: *//p' | paste -sd/"),
    "vector_extensions": [f for f in VECTOR_FLAGS if f in cpu_flags],
    "cores": os.cpu_count(),
    "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
    "os": sh(". /etc/os-release && echo $PRETTY_NAME"),
    "kernel": platform.release(),
    "load_average_at_start": open(os.path.join(work, "load-start.txt")).read().strip() if os.path.exists(os.path.join(work, "load-start.txt")) else "",
    "load_average_at_end": sh("cut -d' ' -f1-3 /proc/loadavg"),
}
versions = {
    "dotnet": dotnet_meta.get("dotnet"), "torchsharp_assembly": dotnet_meta.get("torchsharp"),
    "torchsharp_package": "TorchSharp-cpu 0.107.0 (libtorch 2.10.0)",
    "pytorch": peer_meta.get("openblas", {}).get("torch"), "python": peer_meta.get("openblas", {}).get("python"),
    "openblas": "0.3.21 (Debian libopenblas0-pthread)",
}
date = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
results = {"date": date, "machine": machine, "versions": versions, "threads": dotnet_meta.get("threads"),
           "figures": figures, "speed": speed, "process_pairs": pairs, "default_omp_wait_policy": active, "glibc_default_malloc": nomalloc, "mkl_generic_path": nomkl, "steady_state": steady, "pytorch_with_library_malloc_settings": tuned_peer, "pytorch": peer, "pytorch_meta": peer_meta,
           "memory": memory, "latency": {"dotnet": latency, "pytorch_openblas": peer.get("openblas", {}).get("latency", {}), "onnxruntime": onnx_latency},
           "data": data_text}
with open(results_path, "w") as f:
    json.dump(results, f, indent=2)

# ---------------------------------------------------------------- markdown
L = []
w = L.append
w("# Benchmarks")
w("")
w(f"Generated by `bench/run` on {date}. Raw numbers: `bench/results.json`.")
w("")
w("| machine | |")
w("|---|---|")
w(f"| CPU | {machine['cpu']} (family/model {machine['cpu_family_model']}), {machine['cores']} cores, {machine['memory_gib']} GiB |")
w(f"| vector extensions | {', '.join(machine['vector_extensions']) or '(none of ' + ', '.join(VECTOR_FLAGS) + ')'} |")
w(f"| OS | {machine['os']}, Linux {machine['kernel']} |")
w(f"| .NET / TorchSharp | {versions['dotnet']} / {versions['torchsharp_package']} |")
w(f"| PyTorch peer | {versions['pytorch']} (Debian python3-torch), Python {versions['python']}, {versions['openblas']} via LD_LIBRARY_PATH, OMP_WAIT_POLICY=PASSIVE |")
w(f"| threads | {dotnet_meta.get('threads')} (torch.set_num_threads) and OMP_WAIT_POLICY={dotnet_meta.get('omp_wait_policy') or 'default'} in every process (one row below without it) |")
w(f"| oneMKL (inside libtorch) | code path {dotnet_meta.get('mkl_code_path')} (0 = its generic path): {dotnet_meta.get('mkl_dispatch')} |")
w(f"| load average (1, 5, 15 min) before / after the run | {machine['load_average_at_start']} / {machine['load_average_at_end']} |")
w("")
w("## Training speed (samples/s, median of interleaved runs, warm-up excluded)")
w("")
w("Same data (MNIST: the 10,000 real training digits; IMDB: the first 15,000 training reviews as 10,000-word multi-hot), "
  "same batch size, seed, batch order and thread count. *hand* = idiomatic TorchSharp loop (torch.nn.Sequential, torch.optim, "
  "per-batch index_select of a shuffled index, loss.item() every batch, dispose scope per batch). *floor* = forward + loss + "
  "backward + step repeated on one fixed batch with torch.nn/torch.optim; *library floor* = the same with the library's own "
  "layers, fused loss and Keras optimizer (no loop).")
w("")
w("| model | Fit | hand loop | floor | library floor | **Fit / hand** | Fit / floor | PyTorch (OpenBLAS) | **Fit / PyTorch** | PyTorch (Debian reference BLAS) | Fit / PyTorch ref. |")
w("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
labels = {"mlp": "MNIST MLP 784-512-10, Adam, batch 128", "cnn": "MNIST CNN 16c-32c-64-10, Adam, batch 128",
          "imdb": "IMDB multi-hot 10000-16-16-1, RMSprop, batch 512"}
for name in ("mlp", "cnn", "imdb"):
    f = figures.get(name)
    if not f:
        continue
    w(f"| {labels[name]} | {fmt(f['fit'])} | {fmt(f['hand'])} | {fmt(f['floor'])} | {fmt(f['floor_library'])} | **{fmt(f['fit_over_hand'], 2)}x** | "
      f"{fmt(f['fit_over_floor'], 2)} | {fmt(f['pytorch_openblas_loop'])} | **{fmt(f['fit_over_pytorch_openblas'], 2)}x** | "
      f"{fmt(f['pytorch_reference_blas_loop'])} | {fmt(f['fit_over_pytorch_reference_blas'], 1)}x |")
def variant_rows(results, label, show_per_process=False):
    """One row per model for a variant run beside the main table (another wait policy, malloc or MKL setting)."""
    for name in ("mlp", "cnn", "imdb"):
        if name not in results:
            continue
        m = results[name]["median"]
        ratios = results[name].get("per_process_fit_over_hand", []) if show_per_process else []
        per_text = f" (per process: {per_process(ratios, results[name].get('per_process_first', []))})" if len([x for x in ratios if x]) > 1 else ""
        w(f"| {name.upper()}, .NET with {label} | {fmt(m.get('fit'))} | {fmt(m.get('hand'))} | | | {fmt(ratio(m.get('fit'), m.get('hand')), 2)}x{per_text} | | | "
          f"{fmt(ratio(m.get('fit'), figures.get(name, {}).get('pytorch_openblas_loop')), 2)}x | | |")


variant_rows(active, "libgomp's default (active) wait policy", show_per_process=True)
variant_rows(nomalloc, "glibc's default malloc settings (`TRANSFERNOTEBOOKS_NO_MALLOC_TUNING=1`)")
variant_rows(nomkl, "MKL's generic path (`TRANSFERNOTEBOOKS_NO_MKL_DISPATCH=1`)")
w("")
w("Runs per variant: " + ", ".join(f"{n} {len(m['runs'].get('fit', []))}" for n, m in speed.items()) +
  "; PyTorch runs: " + ", ".join(f"{n} {len(m['runs'].get('loop', []))}" for n, m in peer.get("openblas", {}).items() if n != "latency") + ".")
jit = [(n, m["jit_ms"]) for n, m in speed.items() if m.get("jit_ms", {}).get("fit") and m["jit_ms"].get("hand")]
if jit:
    w("JIT compilation still under way during the timed runs (the runtime tiering up hot methods on its background thread; "
      "median ms per run, Fit / hand loop): " + ", ".join(f"{n} {fmt(median(j['fit']), 1)} / {fmt(median(j['hand']), 1)}" for n, j in jit) + ".")
w("")
if pairs:
    w("### The same ratios per process pair (spread)")
    w("")
    w("Each pair is one .NET process and one PyTorch process, run back to back, the order alternating from pair to pair; "
      "a ratio is taken within a pair. A difference smaller than the spread is noise. F: Fit ran first after the warm-up in "
      "that process; H: the hand loop did (the first one takes most of the runtime's tier-up of the code both loops share).")
    w("")
    w("| model | Fit / hand, pair by pair | **spread** | Fit / PyTorch, pair by pair | **spread** |")
    w("|---|---|---:|---|---:|")
    for name in ("mlp", "cnn", "imdb"):
        rows = sorted(pairs.get(name, []), key=lambda r: r["pair"])
        if not rows:
            continue
        cells = []
        for key in ("fit_over_hand", "fit_over_pytorch"):
            lo_hi = spread(rows, key)
            cells.append(", ".join(fmt(r.get(key), 2) + (first_mark(r.get("first")) if key == "fit_over_hand" else "") for r in rows))
            cells.append(f"**{fmt(lo_hi[0], 2)}-{fmt(lo_hi[1], 2)}**" if lo_hi else "-")
        w(f"| {name.upper()} | " + " | ".join(cells) + " |")
    w("")
if steady:
    warm = next((s["warmup"] for models in steady.values() for s in models.values() if s.get("warmup")), None)
    w("### Fit / hand loop once the JIT has settled")
    w("")
    w(f"The table above times each loop's 2nd to 4th call in a fresh process. Fit runs more per-call code than the hand loop "
      f"(input check, set-up, logs), which the runtime re-compiles on its background thread during a process's first ~15 Fit calls, "
      f"on the same two cores as the compute. Here every variant first ran {warm} times; then 4 interleaved rounds, 2 processes per "
      f"wait policy. Each round runs Fit and the hand loop back to back; **Fit / hand** is the median of the per-round ratios of "
      f"both processes, *per process* that process's median (absolute speeds moved up to 2x between processes on this machine).")
    w("")
    w("| model | wait policy | Fit (median) | hand loop (median) | **Fit / hand** | per process | per-round ratios | JIT ms per run, Fit / hand (median) |")
    w("|---|---|---:|---:|---:|---|---|---|")
    for name in ("mlp", "cnn", "imdb"):
        for policy in ("PASSIVE", "default"):
            s = steady.get(policy, {}).get(name)
            if not s:
                continue
            m = s["median"]
            per = per_process(s["per_process_fit_over_hand"], s.get("per_process_first", []))
            j = s["jit_ms"]
            w(f"| {name.upper()} | {policy} | {fmt(m.get('fit'))} | {fmt(m.get('hand'))} | **{fmt(s['fit_over_hand'], 2)}x** | {per} | "
              f"{', '.join(fmt(x, 2) for x in s['round_ratios'])} | {fmt(median(j.get('fit', [])), 1)} / {fmt(median(j.get('hand', [])), 1)} |")
    w("")
if tuned_peer:
    w("### PyTorch with the library's malloc settings")
    w("")
    w("The library sets glibc's `M_MMAP_THRESHOLD` (32 MB) and `M_TRIM_THRESHOLD` (2 GB) in its own process (see below); "
      "PyTorch run with the same settings (`GLIBC_TUNABLES`), one process, so both sides allocate alike.")
    w("")
    w("| model | PyTorch, glibc defaults (table above) | PyTorch, same malloc settings | **Fit / PyTorch, same settings** |")
    w("|---|---:|---:|---:|")
    for name in ("mlp", "cnn", "imdb"):
        if name in tuned_peer and name in figures:
            t = median(tuned_peer[name])
            w(f"| {labels[name]} | {fmt(figures[name]['pytorch_openblas_loop'])} | {fmt(t)} | **{fmt(ratio(figures[name]['fit'], t), 2)}x** |")
    w("")
if functional:
    w("## Graph model vs Sequential (Fit samples/s, same layers, interleaved in one process)")
    w("")
    w("The same layers built as `new Functional(inputs, outputs)` (each layer called on the previous symbolic output) and as a "
      "`Sequential`, compiled alike and trained by the same loop; rounds alternate the order.")
    w("")
    w("| model | Sequential Fit | Functional Fit | **Functional / Sequential** | rounds |")
    w("|---|---:|---:|---:|---:|")
    for name in ("mlp", "cnn", "imdb"):
        r = functional.get(name)
        if r:
            med = r["median"]
            w(f"| {labels[name]} | {fmt(med.get('fit'))} | {fmt(med.get('fit_functional'))} | **{fmt(ratio(med.get('fit_functional'), med.get('fit')), 2)}x** | {r['rounds']} |")
    w("")
w("## Memory over 20 epochs (RSS after a full GC; TorchSharp live tensors, `torch.Tensor.TotalCount`)")
w("")
w("| what | RSS epoch 2 (MB) | RSS epoch 20 (MB) | growth 2 -> 20 | live tensors epoch 2 -> 20 |")
w("|---|---:|---:|---:|---:|")
names = {"fit": "model.Fit, MLP on 10k MNIST, 20 epochs", "hand": "hand TorchSharp loop, same", "eval": "Evaluate + Predict on the 10k test set, 20 rounds"}
for k in ("fit", "hand", "eval"):
    r = memory.get(k)
    if not r:
        continue
    w(f"| {names[k]} | {fmt(r['rss_epoch2_mb'], 1)} | {fmt(r['rss_last_mb'], 1)} | {r['rss_growth_2_to_last'] * 100:+.2f}% | "
      f"{int(r['live_tensors_epoch2'])} -> {int(r['live_tensors_last'])} |")
if "fit" in memory and "test_accuracy" in memory["fit"]:
    r = memory["fit"]
    w("")
    w(f"MLP test accuracy after those 20 epochs (Adam, batch 128, seed 1, 10,000 training digits), official 10,000-digit test set: "
      f"**{r['test_accuracy'] * 100:.2f}%** (loss {r['test_loss']:.4f}); the 20 epochs took {r['fit_seconds']:.1f} s.")
w("")
w("## Prediction latency (median)")
w("")
pl = peer.get("openblas", {}).get("latency", {})
w("| model | Predict 1 sample | Predict 1,000 (batchSize 1000) | Predict 1,000 (default batchSize 32) | bare TorchSharp forward 1 / 1,000 | PyTorch forward 1 / 1,000 |")
w("|---|---:|---:|---:|---:|---:|")
for name in ("mlp", "cnn"):
    if f"{name}_predict_1_us" not in latency:
        continue
    w(f"| {name.upper()} | {latency[f'{name}_predict_1_us']:.0f} us | {latency[f'{name}_predict_1000_b1000_ms']:.2f} ms | "
      f"{latency[f'{name}_predict_1000_b32_ms']:.2f} ms | {latency[f'{name}_torch_forward_1_us']:.0f} us / {latency[f'{name}_torch_forward_1000_ms']:.2f} ms | "
      f"{fmt(pl.get(f'{name}_forward_1_us'))} us / {fmt(pl.get(f'{name}_forward_1000_ms'), 2)} ms |")
w("")
if onnx_latency:
    w("## ONNX Runtime inference latency (median; `model.Save(\"model.onnx\")`, ONNX Runtime 1.32 with the same thread count)")
    w("")
    w("| model | Predict 1 sample | ONNX Runtime 1 sample | Predict 1,000 (batchSize 1000) | ONNX Runtime 1,000 | largest difference |")
    w("|---|---:|---:|---:|---:|---:|")
    for name in ("mlp", "cnn"):
        if f"{name}_onnxruntime_1_us" not in onnx_latency:
            continue
        o = onnx_latency
        w(f"| {name.upper()} | {o[f'{name}_predict_1_us']:.0f} us | {o[f'{name}_onnxruntime_1_us']:.0f} us | {o[f'{name}_predict_1000_b1000_ms']:.2f} ms | "
          f"{o[f'{name}_onnxruntime_1000_ms']:.2f} ms | {o[f'{name}_max_abs_difference']:.1e} |")
    w("")
w("## Data loading (bench/TransferNotebooks.Bench, the data case)")
w("")
if data_text:
    w("```")
    w(data_text)
    w("```")
else:
    w("Not run (bench/TransferNotebooks.Bench is absent).")
w("")
w("**IMDB multi-hot and the 0.5 s target.** Multi-hot is a page-fault benchmark: float32 `[25000, 10000]` twice is 2 GB of "
  "fresh memory (524,288 page faults), which no loader fills faster than `torch.zeros` of the same size, printed under each "
  "form above. `Vectorize` fills rows in parallel in one pass (zero, set the ones, check the indices on the way). "
  "`Vectorize(dtype: ScalarType.Byte)` holds the same 0/1 values in 0.5 GB and meets the target; Fit/Evaluate/Predict "
  "convert one batch at a time, so training on it is bit-identical to float32 (same loss to the last digit) with peak RSS "
  "0.55 GB instead of 1.29 GB and the same epoch time (IMDB 25k, Dense 16-16-1, batch 512). This VM has virtio-balloon free "
  "page reporting (`dmesg`: \"Free page reporting enabled\"): memory a process frees is handed back to the host within "
  "seconds and costs host-side faults when touched again, so single figures swing by 2-4x; transparent huge pages were "
  "tried and dropped (fewer faults on paper, but freed 2 MB blocks are exactly what the balloon reclaims: 2-3 s per call).")
w("")
w("## Recurrent layer: LSTM (bench/TransferNotebooks.Bench, the layers case; bench/pytorch_lstm.py)")
w("")
if layers_text:
    w("```")
    w(layers_text)
    w("```")
    w("")
    w("The library's LSTM keeps Keras's weights and layout (so .h5/.keras LSTMs load as stored) and runs the recurrence as a "
      "step loop of TorchSharp ops; libtorch's fused `nn.LSTM` does the same arithmetic in one native call. Read the lines above "
      "for this run. On the AMD EPYC (AVX-512) machine on 2026-12-04, with the library's malloc settings and MKL's instruction-set "
      "path, the step loop trained (forward + backward) in 49-65 ms against the fused layer's 110-123 ms, and as fast as "
      "PyTorch 1.13's `nn.LSTM` (54 ms under PASSIVE, 140 ms under the default policy); forward only, the fused layer's one "
      "native call stays faster (4-7 ms against 19-28 ms). Before those two settings the step loop took about 1.9x the fused "
      "layer's time. Taking each step's slice with `unbind` instead of `select` made the backward pass 6x faster (`select`'s "
      "gradient allocates the whole sequence at every step): IMDB, Embedding(10000, 32) + LSTM(32), 20,000 reviews of 200 "
      "words, 57 s -> 12 s per epoch, identical numbers.")
else:
    w("Not run.")
w("")
w("## What these benchmarks changed in the library")
w("")
w("Profiled with a per-phase stopwatch (`TransferNotebooks.Bench.Training phases <model>`, thread CPU time with `TN_CLOCK=cpu "
  "TN_THREADS=1` while the machine was shared) and fixed where Fit was slower than the hand loop:")
w("")
w("- **Trainer: per-batch gather.** Fit used to copy the whole shuffled data set once per epoch and slice views from it. On IMDB "
  "multi-hot (15,000 x 10,000 floats) that 600 MB copy cost a third of the epoch in page faults and doubled peak memory; each "
  "batch now gathers its own rows (`index_select` of its slice of the permutation), as the hand loop does. Same batches, same order.")
w("- **Tensor buffers kept in glibc's heap (the CNN's 4x).** On the AMD EPYC (family 26, AVX-512) machine the CNN's Fit ran "
  "3,300-3,900 samples/s against PyTorch 1.13's 8,500. oneDNN's verbose log (`ONEDNN_VERBOSE=1`) put the convolutions "
  "themselves at 2.8 ms per batch, yet the stack took 31-48 ms; timing op by op (`micro --ops 1`) showed the backward at 35 ms, "
  "ReLU's backward alone 7-8 ms for 1.4 M floats: page faults. glibc maps each buffer above 128 KB afresh and trims the heap "
  "top on free, so every batch touched megabytes of new pages (19 s of system time in a 35 s run); on this VM, with free page "
  "reporting, a fault is a round trip to the host. The library now sets `mallopt(M_MMAP_THRESHOLD, 32 MB)` and "
  "`mallopt(M_TRIM_THRESHOLD, 2 GB)` once per process (`Native/MallocTuning.cs`; the user's own glibc tunables win, "
  "`TRANSFERNOTEBOOKS_NO_MALLOC_TUNING=1` opts out): conv stack backward 35 -> 3.7 ms, CNN Fit 3,300 -> 16,500 samples/s, "
  "MLP 25k -> 35k, IMDB 69k -> 78k in the same session. The row *with glibc's default malloc settings* above measures it in "
  "every run.")
w("- **oneMKL's kernels for the CPU's instruction set on AMD (the MLP's and IMDB's gap to PyTorch).** libtorch 2.10 links "
  "oneMKL 2024.2 statically and sends every float32 matrix product to it; MKL asks `mkl_serv_intel_cpu_true()` first and, on a "
  "CPU not made by Intel, takes its generic path (`mkl_serv_cpu_detect()` = 0) whatever the CPU supports. Op by op "
  "(`micro --mlp-ops 1` beside `bench/pytorch_mlp_ops.py`), every op of the MLP's step cost the same as PyTorch 1.13's but the "
  "matrix products: `addmm` 128x784x512 0.76-0.82 ms against OpenBLAS's 0.65 ms. The library loads, before libtorch, a "
  "one-function library (`Native/MklCpuDispatch.cs`, `Native/MklCpu/`) that answers that check, so MKL chooses by "
  "instruction set (path 7 on this AVX-512 CPU): `addmm` 0.36-0.41 ms, a Dense layer's forward+backward 1.75 -> 0.9-1.1 ms. "
  "No libtorch file is changed; Intel CPUs are left alone; `TRANSFERNOTEBOOKS_NO_MKL_DISPATCH=1` opts out. The row *with "
  "MKL's generic path* above measures it in every run.")
w("- **Dense kernel in column-major memory.** Same Keras shape `[inputs, units]` and values, stored with the strides of torch's "
  "`nn.Linear` weight seen transposed: libtorch's `addmm` backward then computes the kernel's gradient as `(g.t() @ x).t()`, the "
  "faster product for MKL. IMDB's Dense(16) on 10,000 inputs, batch 512, forward + backward: 1.6-1.9 ms -> 1.3-1.4 ms; the "
  "library's IMDB training floor went from 0.86x to 1.0-1.07x of torch.nn's. Every reader copies with `contiguous()`, "
  "loaders write with `copy_` (strides kept); `DenseTests` checks both.")
w("- **Per-epoch collection is gen 1.** Fit collects once per epoch so that TorchSharp's implicitly created scalars release "
  "their native memory. A full collection also walks the host's heap: 55 ms per epoch with 300 MB of small managed objects "
  "(a notebook kernel's compilers) against 0.5 ms for gen 1 (`micro --gc 1 --heap-mb 300`); the epoch's garbage is young, so "
  "gen 1 finds it. RSS over 20 epochs stays flat (table above).")
w("- **Conv2D on channels-last memory.** Keras data is NHWC; the model converted it to NCHW, for which libtorch's CPU "
  "convolutions (forward and especially backward) are slower. Conv2D now feeds `conv2d` channels-last memory (a free view for one channel, one copy otherwise; outputs stay channels last, "
  "so pooling and Flatten need no copies): conv stack forward+backward 30 -> 19 ms per batch of 128 (thread CPU time).")
w("- **NaN check in one read-only pass.** `isnan().any()` over the input allocated a data-sized boolean tensor on every Fit/"
  "Evaluate/Predict call (a 600 MB scan on IMDB); a finite `sum()` proves there is no NaN, and only a non-finite sum runs the exact check.")
w("- **NaN check once per tensor and contents.** The `sum()` still read the whole input on every call (10-12 ms on IMDB, 3% of a 4-epoch "
  "call); a tensor found clean is now remembered with libtorch's version counter (`aten::_version`, bumped by every in-place change), so "
  "a repeated Fit/Evaluate/Predict on the same unchanged tensor skips it: IMDB Fit/hand in whole-process CPU time (`TN_CLOCK=process "
  "TN_THREADS=1`, 3 processes x 5 rounds each) 0.92-0.96 -> 0.97-0.98.")
w("- **Fewer ops per batch.** Sparse categorical cross-entropy on logits is one fused `cross_entropy` (fewer autograd nodes); "
  "metrics that depend only on score order (accuracy, top-k) receive logits, so no softmax is computed for them; loss and "
  "metric sums need no casts. For one output per sample (binary models, regression with Dense(1)) binary accuracy counts the "
  "right/wrong flags directly and the losses take a view instead of a mean over one value (same numbers and gradients): IMDB "
  "Fit/hand in process CPU time after 10 warm-up calls 0.979-0.997 -> 0.995-1.012 (2 processes x 8 rounds each).")
w("- **Nothing left for the finalizer per batch.** TorchSharp's `Tensor.shape` and `add`/`add_` without `alpha` leave one "
  "finalizable object per call; the per-batch code reads `size(i)` and passes an explicit `alpha`: an IMDB batch went from 25 such "
  "objects to none (`micro --finalizers 1`; Fit's per-epoch collection had spent 0.1-1.4 ms per epoch running their finalizers). "
  "IMDB Fit/hand in process CPU time 0.94-1.01 before, 0.97-1.00 after (3 processes each): inside the noise.")
w("- **The loop's per-batch methods compiled fully optimised at first use.** Tiered compilation recompiled Fit's per-batch path in the background during the next Fit call (164-204 ms of JIT), competing with the two compute threads on 2 cores, most under libgomp's spinning default policy. `[MethodImpl(AggressiveOptimization)]` on the loop's own per-batch methods (Trainer, the models' Forward, PrepareInput, ZeroGrad, Loss.Compute, MeanMetric.Update, Optimizer.Step): the second call's JIT 100-151 ms, the first timed IMDB run under the default policy 0.67-0.69x -> 0.78-0.87x of the hand loop; later runs and the first call unchanged.")
w("- **Every per-batch hook compiled fully optimised at first use (2026-12-05).** The same attribute on the 62 per-batch "
  "methods of the library's layers, losses, metrics and optimizers (`PerBatchCompilationTests` names any without it). IMDB, "
  "default policy, calls 2-4, one loop per process, three runs of 8 processes: Fit / hand 0.98-1.01 -> 1.01-1.05, Fit's JIT "
  "per run 84 -> 40 ms, the first call 565-687 -> 492-579 ms. Default layer names worked out once per type and parameter "
  "groups gathered without LINQ: JIT in calls 4-9 155 and 277 -> 95 and 83 ms.")
w("- **The loop that runs first after the warm-up alternates between processes (2026-12-05).** It pays for the runtime's "
  "re-compilation of the code both loops share; always running Fit first had charged that to Fit (IMDB default policy: "
  "0.93 with Fit first, 1.02 with the hand loop first, 4 processes each).")
w("")
w("## How it is measured")
w("")
w("- `bench/run` builds Release, then runs every case in its own process; speed cases alternate .NET and PyTorch processes, "
  "and inside each process the variants run interleaved (A B C D, then D C B A, ...) after one warm-up run each, so JIT, "
  "allocator warm-up and first-touch page faults are excluded and slow drifts of the machine hit every variant alike. "
  "The steady-state rows run every variant 12 times first (`speed --warmup 12`), after the runtime's tier-up has settled.")
w("- Which loop runs first after the warm-up alternates from process to process (4 processes: Fit first in 2, the hand loop "
  "in 2; marked F and H per process). In a process's 2nd and 3rd calls the runtime re-compiles the hot code at its "
  "optimising tier on a background thread, and the code both loops share (TorchSharp's tensor methods, the BCL) is "
  "re-compiled once, during whichever loop runs first: IMDB, default wait policy, Fit / hand was 0.89-0.96 with Fit first "
  "and 0.83-1.13 with the hand loop first (4 processes each). Always putting Fit first, as this script did until "
  "2026-12-05, charged that shared cost to Fit. `speed --jit-log file.tsv` lists every method compiled, its tier and "
  "the phase it fell in.")
w("- A Fit run is `model.Fit(x, y, epochs, batchSize, seed: 1, verbose: 0)` on a freshly built model (building excluded); "
  "the hand loop draws the same permutations (same generator and seed), so both see the same batches.")
w("- Memory: `Process.WorkingSet64` after `GC.Collect(); GC.WaitForPendingFinalizers(); GC.Collect()` at each epoch end "
  "(a callback for Fit), and TorchSharp's global live-tensor counter.")
w("- Latency: `model.Predict` on MNIST test images (Keras layout), median of 500 calls (1 sample) or 30 calls (1,000).")
# Sections measured by hand (bench/resnet18, ad-hoc interleaved runs) live after this marker in the page; keep them.
MARKER = "<!-- hand-run sections below: bench/report.py keeps them when it rewrites the page -->"
kept = ""
if os.path.exists(md_path):
    with open(md_path) as f:
        old = f.read()
    if MARKER in old:
        kept = old[old.index(MARKER):]
with open(md_path, "w") as f:
    f.write("\n".join(L) + "\n" + ("\n" + kept if kept else ""))
print("\n".join(L))
