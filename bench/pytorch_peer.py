#!/usr/bin/python3
"""The PyTorch peer of the training benchmark: the same three models, data, batch sizes, seeds and thread count as
bench/TransferNotebooks.Bench.Training, trained by the idiomatic PyTorch loop (per-batch index_select of a shuffled
index, loss.item() every batch), plus the compute floor (one fixed batch). Prints a JSON object.

Usage: python3 bench/pytorch_peer.py --mnist DIR [--imdb FILE --imdb-samples N] [--models mlp,cnn,imdb]
                                     [--rounds 5] [--samples N] [--threads 2] [--out FILE]
BLAS: Debian's torch uses the reference BLAS unless LD_LIBRARY_PATH points at OpenBLAS (see bench/run).
"""
import argparse
import gzip
import json
import os
import statistics
import sys
import time

import numpy as np
import torch
from torch import nn


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    rank = data[3]
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(rank)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * rank).reshape(dims)


def mnist(directory, samples):
    x = read_idx(os.path.join(directory, "train-10k-images-idx3-ubyte.gz"))
    y = read_idx(os.path.join(directory, "train-10k-labels-idx1-ubyte.gz"))
    x = torch.from_numpy(x.astype(np.float32) / 255.0)
    y = torch.from_numpy(y.astype(np.int64))
    if samples:
        x, y = x[:samples].contiguous(), y[:samples].contiguous()
    return x, y


def imdb(path, count, samples):
    raw = np.fromfile(path, dtype=np.uint8)
    x = torch.from_numpy(raw[:count * 10000].reshape(count, 10000).astype(np.float32))
    y = torch.from_numpy(raw[count * 10000:count * 10001].astype(np.float32)).reshape(-1, 1)
    if samples:
        x, y = x[:samples].contiguous(), y[:samples].contiguous()
    return x, y


def mlp():
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 10))


def cnn():
    return nn.Sequential(nn.Conv2d(1, 16, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(16, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Flatten(), nn.Linear(32 * 5 * 5, 64), nn.ReLU(), nn.Linear(64, 10))


def imdb_model():
    return nn.Sequential(nn.Linear(10000, 16), nn.ReLU(), nn.Linear(16, 16), nn.ReLU(), nn.Linear(16, 1))


CASES = {
    # name: (model, optimizer, loss, batch size, epochs per run)
    "mlp": (mlp, lambda p: torch.optim.Adam(p, lr=1e-3, eps=1e-7), nn.CrossEntropyLoss, 128, 2),
    "cnn": (cnn, lambda p: torch.optim.Adam(p, lr=1e-3, eps=1e-7), nn.CrossEntropyLoss, 128, 1),
    "imdb": (imdb_model, lambda p: torch.optim.RMSprop(p, lr=1e-3, alpha=0.9, eps=1e-7), nn.BCEWithLogitsLoss, 512, 4),  # 4 epochs per run, as the Keras book's final IMDB fit
}


def loop(case, x, y, epochs, seed=1):
    make, make_opt, make_loss, bs, _ = case
    torch.manual_seed(seed)
    model, loss_fn = make(), make_loss()
    opt = make_opt(model.parameters())
    generator = torch.Generator().manual_seed(seed)
    n = x.shape[0]
    total = 0.0
    start_time = time.perf_counter()
    model.train()
    for _ in range(epochs):
        perm = torch.randperm(n, generator=generator)
        for start in range(0, n, bs):
            idx = perm[start:start + bs]
            xb, yb = x.index_select(0, idx), y.index_select(0, idx)
            opt.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
            total += loss.item()
    elapsed = time.perf_counter() - start_time
    assert total == total, "diverged"
    return n * epochs / elapsed


def floor(case, x, y, iterations, seed=1):
    make, make_opt, make_loss, bs, _ = case
    torch.manual_seed(seed)
    model, loss_fn = make(), make_loss()
    opt = make_opt(model.parameters())
    xb, yb = x[:bs], y[:bs]
    model.train()
    start_time = time.perf_counter()
    for _ in range(iterations):
        opt.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        opt.step()
    return iterations * bs / (time.perf_counter() - start_time)


def latency(x):
    rows = {}
    for name, make in (("mlp", mlp), ("cnn", cnn)):
        model = make().eval()
        inp = x[:1000].unsqueeze(1).contiguous() if name == "cnn" else x[:1000].contiguous()
        one = inp[:1].contiguous()
        for label, batch, warm, runs in (("1_us", one, 50, 500), ("1000_ms", inp, 5, 30)):
            with torch.no_grad():
                for _ in range(warm):
                    model(batch)
                times = []
                for _ in range(runs):
                    t0 = time.perf_counter()
                    model(batch)
                    times.append(time.perf_counter() - t0)
            rows[f"{name}_forward_{label}"] = statistics.median(times) * (1e6 if label.endswith("us") else 1e3)
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mnist", required=True)
    ap.add_argument("--imdb")
    ap.add_argument("--imdb-samples", type=int, default=15000)
    ap.add_argument("--models", default="mlp,cnn,imdb")
    ap.add_argument("--variants", default="loop,floor")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--samples", type=int, default=0)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--latency", action="store_true")
    ap.add_argument("--out")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    blas = "openblas" if "openblas" in os.environ.get("LD_LIBRARY_PATH", "") else "reference"
    result = {"torch": torch.__version__, "python": sys.version.split()[0], "threads": a.threads, "blas": blas,
              "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY", ""), "models": {}}
    variants = a.variants.split(",")
    for name in a.models.split(","):
        case = CASES[name]
        if name == "imdb":
            if not a.imdb:
                continue
            x, y = imdb(a.imdb, a.imdb_samples, a.samples)
        else:
            x, y = mnist(a.mnist, a.samples)
            if name == "cnn":
                x = x.unsqueeze(1).contiguous()
        bs, epochs = case[3], case[4]
        n = x.shape[0]
        iterations = (n + bs - 1) // bs * epochs
        run = {"loop": lambda: loop(case, x, y, epochs), "floor": lambda: floor(case, x, y, iterations)}
        for v in variants:
            run[v]()  # warm-up
        runs = {v: [] for v in variants}
        for r in range(a.rounds):
            for v in (variants if r % 2 == 0 else variants[::-1]):
                s = run[v]()
                runs[v].append(s)
                print(f"pytorch {blas} {name} round {r + 1} {v}: {s:.0f} samples/s", file=sys.stderr)
        result["models"][name] = {"samples": n, "epochs_per_run": epochs, "batch_size": bs, "runs": runs,
                                  "median": {v: statistics.median(runs[v]) for v in variants}}
    if a.latency:
        x, _ = mnist(a.mnist, 1000)
        result["latency"] = latency(x)
    text = json.dumps(result, indent=2)
    if a.out:
        with open(a.out, "w") as f:
            f.write(text)
    else:
        print(text)


if __name__ == "__main__":
    main()
