#!/usr/bin/env python3
"""Data-parallel training of a model that TransferNotebooks exported with SavePyTorch, under torchrun.

    torchrun --standalone --nproc_per_node=2 interop/pytorch/train_ddp.py --model-dir exported \
        --x-train x_train.npy --y-train y_train.npy --x-test x_test.npy --y-test y_test.npy \
        --epochs 2 --lr 0.1 --batch-size 32 --out trained

Every process loads exported/model.py with exported/state_dict.pt, trains on its shard of the training set
(DistributedSampler, reshuffled each epoch) and DistributedDataParallel averages the gradients: gloo on CPU, NCCL when
CUDA is available (the same script; one GPU per process). The batch size is per process. Rank 0 then writes
trained/state_dict.pt (load it in .NET with model.LoadPyTorchWeights) and trained/evaluation.json: the loss and accuracy
on the test set computed as Keras's evaluate does (mean loss per sample), with the per-epoch training loss.

Data are .npy files in Keras layout, as for Predict: images [N, H, W, C] or [N, H, W], token ids [N, steps]; labels
as the compiled loss wants them (class indices for sparse_categorical_crossentropy). Models with one input and one output only:
a model with several inputs or outputs is refused (train it from its model.py, whose forward takes one tensor per input).
"""
import argparse
import importlib.util
import json
import os
import sys
import time

import numpy as np
import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader, TensorDataset
from torch.utils.data.distributed import DistributedSampler

LOSSES = ("sparse_categorical_crossentropy", "categorical_crossentropy", "binary_crossentropy", "mean_squared_error", "mean_absolute_error")


def parse():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model-dir", required=True, help="the folder SavePyTorch wrote (model.py, state_dict.pt)")
    p.add_argument("--x-train", required=True)
    p.add_argument("--y-train", required=True)
    p.add_argument("--x-test", help="evaluation inputs (default: the training set)")
    p.add_argument("--y-test")
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--lr", type=float, default=0.01)
    p.add_argument("--batch-size", type=int, default=32, help="samples per process and step")
    p.add_argument("--optimizer", choices=("sgd", "adam"), default="sgd")
    p.add_argument("--momentum", type=float, default=0.0, help="SGD momentum")
    p.add_argument("--loss", choices=LOSSES, help="default: the loss the .NET model was compiled with (model.loss)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", required=True, help="folder for state_dict.pt and evaluation.json")
    return p.parse_args()


def load_exported(folder):
    spec = importlib.util.spec_from_file_location("exported_model", os.path.join(folder, "model.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    model = module.load(folder)
    inputs, outputs = len(getattr(model, "input_shapes", (None,))), len(getattr(model, "output_shapes", (None,)))
    if inputs > 1 or outputs > 1:
        # One x .npy and one y .npy per run: a model with several inputs or outputs would need one file per input and output.
        sys.exit(f"train_ddp.py: the model in {folder} has {inputs} inputs and {outputs} outputs; this script trains models with one "
                 "input and one output only. Train it from its model.py with your own loop: model(*inputs) returns "
                 + ("a tuple of outputs." if outputs > 1 else "its output."))
    return model


def choose_loss(model, name):
    name = name or model.loss
    if name is None:
        name = {"softmax": "sparse_categorical_crossentropy", "sigmoid": "binary_crossentropy"}.get(model.output_activation, "mean_squared_error")
    if name not in LOSSES:
        sys.exit(f"train_ddp.py: the model's loss '{name}' is not supported here; pass --loss with one of {', '.join(LOSSES)}.")
    return name


def per_sample_loss(name, output, y, activation):
    """Per-sample loss of the model's output (logits when the output activation is softmax or sigmoid)."""
    if name == "sparse_categorical_crossentropy":
        log_p = F.log_softmax(output, -1) if activation == "softmax" else torch.log(output.clamp(1e-7, 1 - 1e-7))
        return F.nll_loss(log_p, y.long().view(-1), reduction="none")
    if name == "categorical_crossentropy":
        log_p = F.log_softmax(output, -1) if activation == "softmax" else torch.log(output.clamp(1e-7, 1 - 1e-7))
        return -(y.float() * log_p).sum(-1)
    if name == "binary_crossentropy":
        target = y.float().view_as(output)
        if activation == "sigmoid":
            per_value = F.binary_cross_entropy_with_logits(output, target, reduction="none")
        else:
            per_value = F.binary_cross_entropy(output.clamp(1e-7, 1 - 1e-7), target, reduction="none")
        return per_value.reshape(len(output), -1).mean(1)
    target = y.float().view_as(output)
    error = (output - target).abs() if name == "mean_absolute_error" else (output - target) ** 2
    return error.reshape(len(output), -1).mean(1)


def correct(name, output, y, activation):
    """Correct predictions in the batch (Keras's accuracy for the loss); None for regression losses."""
    if name == "sparse_categorical_crossentropy":
        return (output.argmax(-1) == y.long().view(-1)).sum().item()
    if name == "categorical_crossentropy":
        return (output.argmax(-1) == y.argmax(-1)).sum().item()
    if name == "binary_crossentropy":
        p = torch.sigmoid(output) if activation == "sigmoid" else output
        hits = ((p > 0.5).float() == y.float().view_as(p)).float()
        return hits.reshape(len(p), -1).mean(1).sum().item()
    return None


def main():
    args = parse()
    model = load_exported(args.model_dir)  # first: a model this script cannot train is refused before any process group starts
    cuda = torch.cuda.is_available()
    dist.init_process_group(backend="nccl" if cuda else "gloo")
    rank, world = dist.get_rank(), dist.get_world_size()
    local_rank = int(os.environ.get("LOCAL_RANK", 0))
    device = torch.device("cuda", local_rank) if cuda else torch.device("cpu")
    if cuda:
        torch.cuda.set_device(device)
    torch.manual_seed(args.seed + rank)  # dropout differs per process; the weights come from state_dict.pt on every rank

    model = model.to(device)
    loss_name = choose_loss(model, args.loss)
    activation = model.output_activation
    ddp = DistributedDataParallel(model, device_ids=[local_rank] if cuda else None)
    params = [p for p in ddp.parameters() if p.requires_grad]
    optimizer = torch.optim.SGD(params, lr=args.lr, momentum=args.momentum) if args.optimizer == "sgd" else torch.optim.Adam(params, lr=args.lr)

    train = TensorDataset(torch.from_numpy(np.load(args.x_train)), torch.from_numpy(np.load(args.y_train)))
    sampler = DistributedSampler(train, num_replicas=world, rank=rank, shuffle=True, seed=args.seed)
    loader = DataLoader(train, batch_size=args.batch_size, sampler=sampler)
    history = []
    start = time.time()
    for epoch in range(args.epochs):
        sampler.set_epoch(epoch)
        ddp.train()
        totals = torch.zeros(2, dtype=torch.float64, device=device)
        for x, y in loader:
            x, y = x.to(device), y.to(device)
            optimizer.zero_grad()
            loss = per_sample_loss(loss_name, ddp(x, logits=True), y, activation).mean()
            loss.backward()
            optimizer.step()
            totals += torch.tensor([loss.item() * len(x), len(x)], dtype=torch.float64, device=device)
        dist.all_reduce(totals)
        history.append(totals[0].item() / totals[1].item())
        if rank == 0:
            print(f"epoch {epoch + 1}/{args.epochs}: loss {history[-1]:.4f} ({world} processes, {time.time() - start:.1f} s)", flush=True)
    seconds = time.time() - start

    if rank == 0:
        os.makedirs(args.out, exist_ok=True)
        weights = os.path.join(args.out, "state_dict.pt")
        torch.save(model.state_dict(), weights + ".tmp")  # the unwrapped module's keys, without DDP's "module." prefix
        os.replace(weights + ".tmp", weights)
        x_test = torch.from_numpy(np.load(args.x_test or args.x_train))
        y_test = torch.from_numpy(np.load(args.y_test or args.y_train))
        model.eval()
        loss_sum, hits = 0.0, 0
        with torch.no_grad():
            for i in range(0, len(x_test), 256):
                x, y = x_test[i:i + 256].to(device), y_test[i:i + 256].to(device)
                output = model(x, logits=True)
                loss_sum += per_sample_loss(loss_name, output, y, activation).double().sum().item()
                c = correct(loss_name, output, y, activation)
                hits = None if c is None else hits + c
        result = {
            "loss": loss_sum / len(x_test),
            "accuracy": None if hits is None else hits / len(x_test),
            "samples": len(x_test),
            "loss_name": loss_name,
            "epochs": args.epochs,
            "train_loss": history,
            "world_size": world,
            "backend": dist.get_backend(),
            "device": str(device),
            "seconds": seconds,
        }
        path = os.path.join(args.out, "evaluation.json")
        with open(path + ".tmp", "w") as f:
            json.dump(result, f, indent=2)
        os.replace(path + ".tmp", path)
        print(json.dumps(result), flush=True)
    dist.barrier()
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
