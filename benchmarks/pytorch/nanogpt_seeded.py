"""Runs nanoGPT's train.py from another seed, for the GPT benchmark's seed study.

train.py seeds PyTorch with 1337 + seed_offset and takes no seed option; this shifts that one call, leaving the
rest of nanoGPT's code untouched. Run from a karpathy/nanoGPT folder:
    /usr/bin/python3 nanogpt_seeded.py SEED config/train_shakespeare_char.py --device=cpu ...
"""
import os
import runpy
import sys

import torch

seed = int(sys.argv[1])
sys.argv = ["train.py"] + sys.argv[2:]
sys.path.insert(0, os.getcwd())  # nanoGPT's model.py, as when train.py runs itself
manual_seed = torch.manual_seed
torch.manual_seed = lambda s: manual_seed(s - 1337 + seed)
runpy.run_path("train.py", run_name="__main__")
