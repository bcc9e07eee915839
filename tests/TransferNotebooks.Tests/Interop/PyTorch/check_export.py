# Checks exported PyTorch folders (SavePyTorch) with the system's torch, both ways. For each folder given:
#   1. imports its model.py, loads state_dict.pt, predicts x.npy in eval mode -> pred.npy;
#   2. one seeded SGD step in train mode (cross-entropy on y.npy for a softmax output with labels, else the mean square
#      of the output), saves the new state_dict -> after.pt and the new eval-mode predictions -> pred_after.npy.
# The .NET test compares pred.npy with Predict, then loads after.pt and compares with pred_after.npy.
import importlib.util
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

torch.set_num_threads(1)

for index, folder in enumerate(sys.argv[1:]):
    spec = importlib.util.spec_from_file_location(f"exported_{index}", os.path.join(folder, "model.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    model = module.load(folder)
    x = torch.from_numpy(np.load(os.path.join(folder, "x.npy")))
    with torch.no_grad():
        np.save(os.path.join(folder, "pred.npy"), model(x).numpy())

    torch.manual_seed(index)
    model.train()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    out = model(x, logits=True)
    labels = os.path.join(folder, "y.npy")
    if model.output_activation == "softmax" and os.path.exists(labels):
        loss = F.cross_entropy(out, torch.from_numpy(np.load(labels)).long())
    else:
        loss = out.pow(2).mean()
    loss.backward()
    optimizer.step()
    model.eval()
    torch.save(model.state_dict(), os.path.join(folder, "after.pt"))
    with torch.no_grad():
        np.save(os.path.join(folder, "pred_after.npy"), model(x).numpy())
    print(f"{folder}: loss {loss.item():.6f}")
