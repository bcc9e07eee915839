# Checks exported PyTorch folders (SavePyTorch) with the system's torch, both ways. For each folder given:
#   1. imports its model.py, loads state_dict.pt, predicts x.npy in eval mode -> pred.npy;
#   2. one seeded SGD step in train mode (cross-entropy on y.npy for a softmax output with labels, else the mean square
#      of the output), saves the new state_dict -> after.pt and the new eval-mode predictions -> pred_after.npy.
# The .NET test compares pred.npy with Predict, then loads after.pt and compares with pred_after.npy.
# A model with several inputs reads x0.npy, x1.npy, ... (one per input, in order); a model with several outputs writes pred0.npy,
# pred1.npy, ... and pred_after0.npy, ... (one per output), takes labels y0.npy, y1.npy, ... per softmax output, and its loss is the
# sum of the outputs' losses.
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
    single = os.path.exists(os.path.join(folder, "x.npy"))
    names = ["x.npy"] if single else [f"x{k}.npy" for k in range(len(model.input_shapes))]
    xs = [torch.from_numpy(np.load(os.path.join(folder, n))) for n in names]
    several = hasattr(model, "output_shapes") and len(model.output_shapes) > 1
    activations = model.output_activations if several else (model.output_activation,)

    def save(stem, out):
        if several:
            for k, o in enumerate(out):
                np.save(os.path.join(folder, f"{stem}{k}.npy"), o.numpy())
        else:
            np.save(os.path.join(folder, f"{stem}.npy"), out.numpy())

    with torch.no_grad():
        save("pred", model(*xs))

    torch.manual_seed(index)
    model.train()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    outs = model(*xs, logits=True)
    outs = outs if several else (outs,)
    loss = 0
    for k, (out, activation) in enumerate(zip(outs, activations)):
        labels = os.path.join(folder, f"y{k}.npy" if several else "y.npy")
        if activation == "softmax" and os.path.exists(labels):
            loss = loss + F.cross_entropy(out, torch.from_numpy(np.load(labels)).long())
        else:
            loss = loss + out.pow(2).mean()
    loss.backward()
    optimizer.step()
    model.eval()
    torch.save(model.state_dict(), os.path.join(folder, "after.pt"))
    with torch.no_grad():
        save("pred_after", model(*xs))
    print(f"{folder}: loss {loss.item():.6f}")
