#!/usr/bin/python3
"""The PyTorch mirror of `TransferNotebooks.Bench.Training micro --mlp-ops 1`: the MLP's training step op by op, median
microseconds per batch of 128, and 100 scalar adds (the per-call overhead). Run it under bench/run's environment
(OpenBLAS pthread on LD_LIBRARY_PATH, the same OMP_WAIT_POLICY)."""
import json
import statistics
import sys
import time

import torch

threads = int(sys.argv[1]) if len(sys.argv) > 1 else 2
iters = int(sys.argv[2]) if len(sys.argv) > 2 else 300
torch.set_num_threads(threads)
torch.manual_seed(1)
x = torch.rand(10000, 784)
y = torch.randint(0, 10, (10000,))
fc1, fc2 = torch.nn.Linear(784, 512), torch.nn.Linear(512, 10)
opt = torch.optim.Adam(list(fc1.parameters()) + list(fc2.parameters()), lr=1e-3, eps=1e-7)
one = torch.ones(1)
times = {}
clock = time.perf_counter


def mark(name, t0):
    times.setdefault(name, []).append((clock() - t0) * 1e6)


for i in range(iters + 20):
    t = clock(); idx = torch.randperm(10000)[:128]; mark("randperm+narrow", t)
    t = clock(); xb = x.index_select(0, idx); yb = y.index_select(0, idx); mark("index_select x2", t)
    t = clock(); opt.zero_grad(); mark("zero_grad", t)
    t = clock(); h = fc1(xb); mark("fc1", t)
    t = clock(); r = torch.nn.functional.relu(h); mark("relu", t)
    t = clock(); z = fc2(r); mark("fc2", t)
    t = clock(); loss = torch.nn.functional.cross_entropy(z, yb); mark("cross_entropy", t)
    t = clock(); loss.backward(); mark("backward", t)
    t = clock(); opt.step(); mark("adam step", t)
    t = clock(); loss.item(); mark("item", t)
    t = clock()
    for _ in range(100):
        one.add(one)
    mark("100x scalar add", t)
    if i < 20:
        for v in times.values():
            v.pop()
rows = {k: statistics.median(v) for k, v in times.items()}
for k, v in rows.items():
    print(f"{k:<18} {v:9.1f} us", file=sys.stderr)
print(json.dumps({"torch": torch.__version__, "mlp_ops_us": rows}))
