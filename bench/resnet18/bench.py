"""PyTorch 1.13 peer of bench/resnet18/dotnet: ResNet18 features of every photo of the hymenoptera folders, with the weights
read from the same ONNX file (onnx.numpy_helper) and the same preprocessing (RGB -> BGR minus the mean image of
ResNetPreprocess.onnx), on the very images the .NET run decoded (its images.npy: Debian's python3 has no PIL), so only
preprocessing and the network are timed; its features are compared with the .NET run's (features.npy). Prints one JSON line.

Usage: python3 bench.py <dir with images.npy and features.npy> <DnnImageModels dir> [threads] [batch]
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
