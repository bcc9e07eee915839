"""PyTorch 1.13 peer of bench/resnet18/dotnet: ResNet18 features of every photo of the hymenoptera folders, with the weights
read from the same ONNX file (onnx.numpy_helper) and the same preprocessing (RGB -> BGR minus the mean image of
ResNetPreprocess.onnx), on the very images the .NET run decoded (its images.npy: Debian's python3 has no PIL), so only
preprocessing and the network are timed; its features are compared with the .NET run's (features.npy). Prints one JSON line.

With --fine-tune N it then trains the network's last residual block (the Conv and BatchNormalization weights after the
second-to-last Add; BatchNormalization in inference mode) and a new Linear(512, 2) head with Adam(1e-5, eps 1e-7 as Keras),
batches of 16, on the training photos (train_labels.npy: the first ones of images.npy), as bench/resnet18/dotnet --fine-tune
does, and prints one JSON line per epoch with its seconds and the RSS.

Usage: python3 bench.py <dir with images.npy and features.npy> <DnnImageModels dir> [threads] [batch] [--fine-tune epochs]
"""
import json
import os
import sys
import time

import numpy as np
import onnx
import torch
from onnx import numpy_helper

from onnx_resnet18_torch import OnnxTorchNet

argv = sys.argv[1:]
fine_tune_epochs = 0
if "--fine-tune" in argv:
    k = argv.index("--fine-tune")
    fine_tune_epochs = int(argv[k + 1])
    del argv[k:k + 2]
sys.argv[1:] = argv
root, models = sys.argv[1], sys.argv[2]
threads = int(sys.argv[3]) if len(sys.argv) > 3 else 2
batch = int(sys.argv[4]) if len(sys.argv) > 4 else 32
torch.set_num_threads(threads)

t0 = time.perf_counter()
net = OnnxTorchNet(os.path.join(models, "ResNet18Onnx", "ResNet18.onnx")).eval()
prep = onnx.load(os.path.join(models, "ResNetPrepOnnx", "ResNetPreprocess.onnx"))
mean = torch.from_numpy(numpy_helper.to_array(prep.graph.initializer[0]).copy())  # [1, 3, 224, 224], BGR
t1 = time.perf_counter()
images = np.load(os.path.join(root, "images.npy"))
dotnet_features = torch.from_numpy(np.load(os.path.join(root, "features.npy")))
files = range(len(images))
t2 = time.perf_counter()
x = torch.from_numpy(images).permute(0, 3, 1, 2).flip(1) - mean  # NCHW, BGR minus the mean image
t3 = time.perf_counter()
with torch.no_grad():
    net(x[:2])
    t4 = time.perf_counter()
    features = torch.cat([net(x[i:i + batch]).flatten(1) for i in range(0, len(x), batch)])
    t5 = time.perf_counter()
print(json.dumps({"images": len(files), "threads": threads, "batch": batch, "load_weights_s": t1 - t0, "read_npy_s": t2 - t1,
                  "preprocess_s": t3 - t2, "features_s": t5 - t4, "images_per_s": len(files) / (t5 - t4),
                  "feature_mean": float(features.mean()),
                  "max_relative_difference_vs_dotnet": float((features - dotnet_features).abs().max() / features.abs().max()), "torch": torch.__version__}))


def rss_mb():
    with open("/proc/self/status") as f:
        return next(int(l.split()[1]) for l in f if l.startswith("VmRSS:")) / 1024


if fine_tune_epochs > 0:
    torch.manual_seed(1)
    labels = torch.from_numpy(np.load(os.path.join(root, "train_labels.npy"))).long()
    n = len(labels)
    train_x = x[:n].contiguous()
    adds = [i for i, node in enumerate(net.graph.node) if node.op_type == "Add"]
    last_block = net.graph.node[adds[-2] + 1:adds[-1]]
    trainable = [net.weights[name] for node in last_block if node.op_type in ("Conv", "BatchNormalization")
                 for name in node.input[1:3] if name in net.weights]
    for t in trainable:
        t.requires_grad_(True)
    head = torch.nn.Linear(512, 2)
    params = trainable + list(head.parameters())
    optimizer = torch.optim.Adam(params, lr=1e-5, eps=1e-7)
    count = sum(p.numel() for p in params)
    generator = torch.Generator().manual_seed(1)
    for epoch in range(fine_tune_epochs):
        start = time.perf_counter()
        order = torch.randperm(n, generator=generator)
        total_loss, right = 0.0, 0
        for i in range(0, n, 16):
            idx = order[i:i + 16]
            logits = head(net(train_x[idx]).flatten(1))
            loss = torch.nn.functional.cross_entropy(logits, labels[idx])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total_loss += loss.item() * len(idx)
            right += int((logits.argmax(1) == labels[idx]).sum())
        seconds = time.perf_counter() - start
        print(json.dumps({"fine_tune_epoch": epoch + 1, "photos": n, "trainable_parameters": count, "seconds": seconds,
                          "photos_per_s": n / seconds, "loss": total_loss / n, "accuracy": right / n, "rss_mb": rss_mb()}))
