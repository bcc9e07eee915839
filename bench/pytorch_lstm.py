#!/usr/bin/python3
"""PyTorch peer of the LSTM case in bench/TransferNotebooks.Bench (LayerBench.cs): nn.LSTM(32) on [128, 200, 32],
forward + backward and forward only, 2 threads, median of 10 after a warm-up."""
import os
import time

import torch

torch.set_num_threads(2)
torch.manual_seed(1)
lstm = torch.nn.LSTM(32, 32, batch_first=True)
x = torch.randn(128, 200, 32)


def median_ms(step, rounds=10):
    step()
    times = []
    for _ in range(rounds):
        t = time.perf_counter()
        step()
        times.append((time.perf_counter() - t) * 1000)
    return sorted(times)[rounds // 2]


def train():
    lstm(x)[1][0].sum().backward()


def infer():
    with torch.no_grad():
        lstm(x)


print(f"[OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY', 'default')}] PyTorch {torch.__version__} nn.LSTM, same shapes: forward + backward {median_ms(train):.1f} ms, forward only {median_ms(infer):.1f} ms")
