"""nanoGPT's saved checkpoint judged on N validation batches (nanoGPT's own get_batch), for the GPT benchmark.

Run from a karpathy/nanoGPT folder after `train.py config/train_shakespeare_char.py ...` wrote out-shakespeare-char/ckpt.pt:
    /usr/bin/python3 nanogpt_val.py [--batches 200] [--out out-shakespeare-char]
Prints the iteration the checkpoint was written at and the mean val loss.
"""
import argparse
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.getcwd())
from model import GPT, GPTConfig  # nanoGPT's model.py

parser = argparse.ArgumentParser()
parser.add_argument("--batches", type=int, default=200)
parser.add_argument("--out", default="out-shakespeare-char")
parser.add_argument("--seed", type=int, default=1337)
args = parser.parse_args()

checkpoint = torch.load(os.path.join(args.out, "ckpt.pt"), map_location="cpu")
model = GPT(GPTConfig(**checkpoint["model_args"]))
state = {k.removeprefix("_orig_mod."): v for k, v in checkpoint["model"].items()}
model.load_state_dict(state)
model.eval()

block = checkpoint["model_args"]["block_size"]
batch = checkpoint["config"]["batch_size"]
data = np.memmap(os.path.join("data", checkpoint["config"]["dataset"], "val.bin"), dtype=np.uint16, mode="r")
torch.manual_seed(args.seed)
losses = []
with torch.no_grad():
    for _ in range(args.batches):
        ix = torch.randint(len(data) - block, (batch,))
        x = torch.stack([torch.from_numpy(data[i:i + block].astype(np.int64)) for i in ix])
        y = torch.stack([torch.from_numpy(data[i + 1:i + 1 + block].astype(np.int64)) for i in ix])
        _, loss = model(x, y)
        losses.append(loss.item())
print(f"{sum(losses) / len(losses):.4f} at iteration {checkpoint['iter_num']}")
