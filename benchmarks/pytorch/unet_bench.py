"""PyTorch reference for GenLab's U-Net (src/Models/Diffusion/UNet.cs) and its training-step benchmark.

The same modules under the same names (pesser/pytorch_diffusion's port of DDPM, plus heads and an optional
condition projection), so `--keys` prints a state_dict listing that must equal the C# model's key for key, and the
parameter counts printed by both benchmarks must be equal. The training step is the one of `GenLab.Benchmarks unet`:
x0 uniform in [-1, 1] (the benchmark times compute, not learning), t uniform in [0, 1000), linear betas 1e-4 … 0.02
(DDPM), x_t = sqrt(abar_t) x0 + sqrt(1 - abar_t) eps, loss = mean (eps_hat - eps)^2, AdamW (lr 2e-4, weight decay 0;
foreach=True, PyTorch's multi-tensor implementation, as GenLab's flat one),
median wall-clock and CPU (all threads) milliseconds per step after warm-up.

With --serve it builds the model and waits: each line on stdin asks for that many more steps of the same run, each
answered by a line 'step N loss L ms M cpu C'; at the end of input it prints 'rss MB' and exits. GenLab.Benchmarks
uses it to take PyTorch's steps in rounds between its own.

Run with Debian's PyTorch (python3-torch 1.13), choosing threads through the environment, e.g.
    OMP_NUM_THREADS=2 OPENBLAS_NUM_THREADS=1 /usr/bin/python3 benchmarks/pytorch/unet_bench.py --steps 50
"""
import argparse
import math
import os
import resource
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def timestep_embedding(t, dim):
    """DDPM's get_timestep_embedding: [sin(t w_i), cos(t w_i)], w_i = 10000^(-i / (half - 1))."""
    half = dim // 2
    freqs = torch.exp(torch.arange(half, dtype=torch.float32) * -(math.log(10000.0) / (half - 1)))
    angles = t.float()[:, None] * freqs[None, :]
    return torch.cat([torch.sin(angles), torch.cos(angles)], dim=1)


def normalize(channels, groups):
    return nn.GroupNorm(groups, channels, eps=1e-6)


class TimeEmbedding(nn.Module):
    def __init__(self, ch, temb_ch):
        super().__init__()
        self.ch = ch
        self.dense = nn.ModuleList([nn.Linear(ch, temb_ch), nn.Linear(temb_ch, temb_ch)])

    def forward(self, t):
        return self.dense[1](F.silu(self.dense[0](timestep_embedding(t, self.ch))))


class ResidualBlock(nn.Module):
    def __init__(self, cin, cout, temb_ch, groups, dropout):
        super().__init__()
        self.norm1 = normalize(cin, groups)
        self.conv1 = nn.Conv2d(cin, cout, 3, padding=1)
        self.temb_proj = nn.Linear(temb_ch, cout)
        self.norm2 = normalize(cout, groups)
        self.dropout = nn.Dropout(dropout)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1)
        self.nin_shortcut = nn.Conv2d(cin, cout, 1) if cin != cout else None

    def forward(self, x, temb):  # temb already through SiLU, as in the C# model
        h = self.conv1(F.silu(self.norm1(x)))
        h = h + self.temb_proj(temb)[:, :, None, None]
        h = self.conv2(self.dropout(F.silu(self.norm2(h))))
        return (x if self.nin_shortcut is None else self.nin_shortcut(x)) + h


class AttentionBlock(nn.Module):
    def __init__(self, channels, groups, heads):
        super().__init__()
        self.norm = normalize(channels, groups)
        self.q = nn.Conv2d(channels, channels, 1)
        self.k = nn.Conv2d(channels, channels, 1)
        self.v = nn.Conv2d(channels, channels, 1)
        self.proj_out = nn.Conv2d(channels, channels, 1)
        self.heads = heads

    def forward(self, x):
        B, C, H, W = x.shape
        h = self.norm(x)
        q, k, v = (m(h).view(B, self.heads, C // self.heads, H * W).transpose(-1, -2) for m in (self.q, self.k, self.v))
        att = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(C // self.heads), dim=-1)   # PyTorch 1.13: no SDPA
        y = (att @ v).transpose(-1, -2).reshape(B, C, H, W)
        return x + self.proj_out(y)


class Downsample(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.conv = nn.Conv2d(channels, channels, 3, stride=2)

    def forward(self, x):
        return self.conv(F.pad(x, (0, 1, 0, 1)))


class Upsample(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.conv = nn.Conv2d(channels, channels, 3, padding=1)

    def forward(self, x):
        return self.conv(F.interpolate(x, scale_factor=2.0, mode="nearest"))


class UNet(nn.Module):
    def __init__(self, image_channels=1, base_channels=32, channel_mults=(1, 2, 2), blocks_per_level=1,
                 attention_levels=(2,), mid_attention=True, heads=4, groups=8, dropout=0.0, time_embedding_dim=128,
                 cond_dim=0):
        super().__init__()
        E, levels = time_embedding_dim, len(channel_mults)
        block = lambda cin, cout: ResidualBlock(cin, cout, E, groups, dropout)
        attention = lambda level, n, c: [AttentionBlock(c, groups, heads) for _ in range(n)] if level in attention_levels else []
        self.temb = TimeEmbedding(base_channels, E)
        if cond_dim > 0:
            self.cond_proj = nn.Linear(cond_dim, E)
            self.null_cond = nn.Parameter(torch.zeros(cond_dim))
        else:
            self.cond_proj = None
        self.conv_in = nn.Conv2d(image_channels, base_channels, 3, padding=1)
        skips, ch = [base_channels], base_channels
        self.down = nn.ModuleList()
        for level, mult in enumerate(channel_mults):
            d = nn.Module()
            d.block = nn.ModuleList()
            for _ in range(blocks_per_level):
                d.block.append(block(ch, base_channels * mult))
                ch = base_channels * mult
                skips.append(ch)
            d.attn = nn.ModuleList(attention(level, blocks_per_level, ch))
            if level < levels - 1:
                d.downsample = Downsample(ch)
                skips.append(ch)
            self.down.append(d)
        self.mid = nn.Module()
        self.mid.block_1 = block(ch, ch)
        if mid_attention:
            self.mid.attn_1 = AttentionBlock(ch, groups, heads)
        self.mid.block_2 = block(ch, ch)
        ups = [None] * levels
        for level in reversed(range(levels)):
            u = nn.Module()
            u.block = nn.ModuleList()
            for _ in range(blocks_per_level + 1):
                u.block.append(block(ch + skips.pop(), base_channels * channel_mults[level]))
                ch = base_channels * channel_mults[level]
            u.attn = nn.ModuleList(attention(level, blocks_per_level + 1, ch))
            if level > 0:
                u.upsample = Upsample(ch)
            ups[level] = u
        self.up = nn.ModuleList(ups)
        self.norm_out = normalize(ch, groups)
        self.conv_out = nn.Conv2d(ch, image_channels, 3, padding=1)
        nn.init.zeros_(self.conv_out.weight)
        nn.init.zeros_(self.conv_out.bias)

    def forward(self, x, t, cond=None):
        emb = self.temb(t)
        if self.cond_proj is not None:
            emb = emb + self.cond_proj(cond if cond is not None else self.null_cond[None].expand(x.shape[0], -1))
        emb = F.silu(emb)
        h = self.conv_in(x)
        skips = [h]
        for d in self.down:
            for j, b in enumerate(d.block):
                h = b(h, emb)
                if len(d.attn) > 0:
                    h = d.attn[j](h)
                skips.append(h)
            if hasattr(d, "downsample"):
                h = d.downsample(h)
                skips.append(h)
        h = self.mid.block_1(h, emb)
        if hasattr(self.mid, "attn_1"):
            h = self.mid.attn_1(h)
        h = self.mid.block_2(h, emb)
        for u in reversed(self.up):
            for j, b in enumerate(u.block):
                h = b(torch.cat([h, skips.pop()], dim=1), emb)
                if len(u.attn) > 0:
                    h = u.attn[j](h)
            if hasattr(u, "upsample"):
                h = u.upsample(h)
        return self.conv_out(F.silu(self.norm_out(h)))


def ints(text):
    return tuple(int(v) for v in text.split(",") if v != "")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--image-channels", type=int, default=1)
    p.add_argument("--image-size", type=int, default=32)
    p.add_argument("--base-channels", type=int, default=32)
    p.add_argument("--channel-mults", type=ints, default=(1, 2, 2))
    p.add_argument("--blocks-per-level", type=int, default=1)
    p.add_argument("--attention-levels", type=ints, default=(2,))
    p.add_argument("--no-mid-attention", action="store_true")
    p.add_argument("--heads", type=int, default=4)
    p.add_argument("--groups", type=int, default=8)
    p.add_argument("--time-embedding-dim", type=int, default=128)
    p.add_argument("--cond-dim", type=int, default=0)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--steps", type=int, default=50)
    p.add_argument("--warmup", type=int, default=5)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--keys", action="store_true", help="print 'name shape' for every state_dict entry and exit")
    p.add_argument("--serve", action="store_true",
                   help="train on request: read a step count per line from stdin, print 'step N loss L ms M cpu C' for "
                        "each step taken, 'rss MB' at end of input (lets a caller interleave this with its own steps)")
    a = p.parse_args()

    torch.manual_seed(a.seed)
    model = UNet(a.image_channels, a.base_channels, a.channel_mults, a.blocks_per_level, a.attention_levels,
                 not a.no_mid_attention, a.heads, a.groups, 0.0, a.time_embedding_dim, a.cond_dim)
    if a.keys:
        for name, tensor in model.state_dict().items():
            print(name, "x".join(str(s) for s in tensor.shape))
        return
    params = sum(p.numel() for p in model.parameters())
    print(f"pytorch {torch.__version__}: threads {torch.get_num_threads()}, interop {torch.get_num_interop_threads()}, "
          f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', '-')} OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', '-')}")
    print(f"parameters {params}")

    opt = torch.optim.AdamW(model.parameters(), lr=2e-4, weight_decay=0.0, foreach=True)   # multi-tensor: PyTorch's fastest CPU AdamW
    alpha_bar = torch.cumprod(1 - torch.linspace(1e-4, 0.02, 1000), dim=0)
    shape = (a.batch, a.image_channels, a.image_size, a.image_size)
    step_count = 0

    def train_step():
        """One training step; returns (loss, wall ms, CPU ms of every thread of this process)."""
        nonlocal step_count
        start, cpu_start = time.perf_counter(), time.process_time()
        x0 = torch.rand(shape) * 2 - 1
        t = torch.randint(0, 1000, (a.batch,))
        eps = torch.randn(shape)
        ab = alpha_bar[t][:, None, None, None]
        xt = ab.sqrt() * x0 + (1 - ab).sqrt() * eps
        loss = F.mse_loss(model(xt, t), eps)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        value = loss.item()
        step_count += 1
        return value, (time.perf_counter() - start) * 1000, (time.process_time() - cpu_start) * 1000

    def peak_rss_mb():
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e6  # KiB -> MB (10^6 bytes), as GenLab's rss_mb

    if a.serve:
        print("ready", flush=True)
        for line in sys.stdin:
            for _ in range(int(line)):
                loss, ms, cpu_ms = train_step()
                print(f"step {step_count} loss {loss:.6f} ms {ms:.3f} cpu {cpu_ms:.3f}", flush=True)
        print(f"rss {peak_rss_mb():.1f}", flush=True)
        return

    times, cpu_times, losses = [], [], []
    for step in range(a.warmup + a.steps):
        loss, ms, cpu_ms = train_step()
        losses.append(loss)
        if step >= a.warmup:
            times.append(ms)
            cpu_times.append(cpu_ms)
    ms, cpu_ms = statistics.median(times), statistics.median(cpu_times)
    print(f"median {ms:.1f} ms/step, {1000 / ms:.2f} steps/s, CPU {cpu_ms:.1f} ms/step over {a.steps} steps after {a.warmup} warm-up "
          f"(batch {a.batch}, {a.image_channels}x{a.image_size}x{a.image_size}); loss {losses[0]:.4f} -> {losses[-1]:.4f}; "
          f"peak RSS {peak_rss_mb():.0f} MB")

if __name__ == "__main__":
    main()
