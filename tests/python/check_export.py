"""Loads a `genlab export` folder in plain PyTorch and checks it reproduces GenLab's outputs.

Each architecture GenLab exports is rebuilt here from its config.json with the same module names (so the state_dict
loads with strict=True), the weights are read from model.safetensors (parsed here: Debian has no `safetensors`
package) or pytorch_model.bin (torch.load), and the network is run on the inputs of CASE.json; its outputs must match
the ones GenLab computed on the same inputs, also in CASE.json, to 1e-5.

    /usr/bin/python3 tests/python/check_export.py EXPORT_DIR CASE.json

Needs PyTorch (Debian: apt-get install python3-torch; 1.13 is enough). Prints one line per compared output and exits
1 on any mismatch. The GPT is checked in Hugging Face's GPT-2 layout (Conv1D weights stored as (in, out)).
"""
import json
import math
import os
import struct
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "benchmarks", "pytorch"))
from unet_bench import UNet  # noqa: E402  GenLab's U-Net in PyTorch, the same module names

TOLERANCE = 1e-5
DTYPES = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16, "F64": torch.float64, "I64": torch.int64,
          "I32": torch.int32, "U8": torch.uint8, "BOOL": torch.bool}


def read_safetensors(path):
    """The format: an 8-byte little-endian header length, a JSON header {name: {dtype, shape, data_offsets}}, then the
    raw little-endian bytes of every tensor (offsets relative to the end of the header)."""
    with open(path, "rb") as f:
        data = f.read()
    (length,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + length])
    start = 8 + length
    tensors = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        begin, end = entry["data_offsets"]
        dtype = DTYPES[entry["dtype"]]
        raw = bytearray(data[start + begin:start + end])
        flat = torch.frombuffer(raw, dtype=dtype) if len(raw) > 0 else torch.empty(0, dtype=dtype)
        tensors[name] = flat.reshape(entry["shape"]).clone()
    return tensors


def load_weights(folder, name):
    path = os.path.join(folder, name)
    return read_safetensors(path) if name.endswith(".safetensors") else torch.load(path, map_location="cpu")


class MlpChar(nn.Module):
    """Bengio et al. (2003): embed the previous T characters, concatenate, one tanh layer, logits."""

    def __init__(self, config, vocab_size):
        super().__init__()
        self.wte = nn.Embedding(vocab_size, config["embedding_dim"])
        self.hidden = nn.Linear(config["context_length"] * config["embedding_dim"], config["hidden_size"])
        self.head = nn.Linear(config["hidden_size"], vocab_size)

    def forward(self, contexts):                      # (B, T) → (B, V)
        emb = self.wte(contexts)
        return self.head(torch.tanh(self.hidden(emb.view(emb.shape[0], -1))))


class Conv1D(nn.Module):
    """GPT-2's linear layer: weight stored as (in, out)."""

    def __init__(self, n_in, n_out, bias):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(n_in, n_out))
        self.bias = nn.Parameter(torch.empty(n_out)) if bias else None

    def forward(self, x):
        y = x @ self.weight
        return y if self.bias is None else y + self.bias


class LayerNorm(nn.Module):
    def __init__(self, dim, bias):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(dim))
        self.bias = nn.Parameter(torch.zeros(dim)) if bias else None

    def forward(self, x):
        return F.layer_norm(x, self.weight.shape, self.weight, self.bias, 1e-5)


class Attention(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c_attn = Conv1D(c["embedding_dim"], 3 * c["embedding_dim"], c["bias"])
        self.c_proj = Conv1D(c["embedding_dim"], c["embedding_dim"], c["bias"])
        self.heads = c["heads"]

    def forward(self, x):                             # (B, T, C)
        B, T, C = x.shape
        q, k, v = (t.view(B, T, self.heads, C // self.heads).transpose(1, 2) for t in self.c_attn(x).split(C, dim=2))
        att = (q @ k.transpose(-2, -1)) / math.sqrt(C // self.heads)
        att = att.masked_fill(torch.ones(T, T, dtype=torch.bool).tril().logical_not(), float("-inf"))
        y = (att.softmax(-1) @ v).transpose(1, 2).reshape(B, T, C)
        return self.c_proj(y)


class Mlp(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c_fc = Conv1D(c["embedding_dim"], 4 * c["embedding_dim"], c["bias"])
        self.c_proj = Conv1D(4 * c["embedding_dim"], c["embedding_dim"], c["bias"])

    def forward(self, x):
        return self.c_proj(F.gelu(self.c_fc(x)))      # exact GELU, as GenLab


class Block(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.ln_1 = LayerNorm(c["embedding_dim"], c["bias"])
        self.attn = Attention(c)
        self.ln_2 = LayerNorm(c["embedding_dim"], c["bias"])
        self.mlp = Mlp(c)

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


class Gpt2(nn.Module):
    """GPT-2 under Hugging Face's keys (wte, wpe, h.N.*, ln_f; lm_head only when untied)."""

    def __init__(self, c):
        super().__init__()
        self.wte = nn.Embedding(c["vocab_size"], c["embedding_dim"])
        self.wpe = nn.Embedding(c["block_size"], c["embedding_dim"])
        self.h = nn.ModuleList([Block(c) for _ in range(c["layers"])])
        self.ln_f = LayerNorm(c["embedding_dim"], c["bias"])
        self.tied = c["tie_weights"]
        if not self.tied:
            self.lm_head = nn.Linear(c["embedding_dim"], c["vocab_size"], bias=False)

    def forward(self, ids):                           # (B, T) → (B, T, V)
        x = self.wte(ids) + self.wpe(torch.arange(ids.shape[1]))
        for block in self.h:
            x = block(x)
        x = self.ln_f(x)
        return x @ self.wte.weight.t() if self.tied else self.lm_head(x)


def conv_autoencoder_layers(c, channels_in, size, latent, sigmoid):
    channels = c["channels"]
    side, last = size >> len(channels), channels[-1]
    down, ch = [], channels_in
    for out in channels:
        down += [nn.Conv2d(ch, out, 3, stride=2, padding=1), nn.ReLU()]
        ch = out
    down.append(nn.Flatten())
    up, ch = [nn.Linear(latent, last * side * side), nn.Unflatten(1, (last, side, side))], last
    for out in reversed(channels):
        up += [nn.ConvTranspose2d(ch, out, 3, stride=2, padding=1, output_padding=1), nn.ReLU()]
        ch = out
    up.append(nn.Conv2d(ch, channels_in, 3, stride=1, padding=1))
    if sigmoid:
        up.append(nn.Sigmoid())
    return down, up, last * side * side


class Autoencoder(nn.Module):
    def __init__(self, c, channels_in, size):
        super().__init__()
        if c["architecture"] == "conv":
            down, up, flat = conv_autoencoder_layers(c, channels_in, size, c["latent_dim"], sigmoid=True)
            down.append(nn.Linear(flat, c["latent_dim"]))
        else:
            pixels, width = channels_in * size * size, channels_in * size * size
            down = [nn.Flatten()]
            for h in c["hidden_sizes"]:
                down += [nn.Linear(width, h), nn.ReLU()]
                width = h
            down.append(nn.Linear(width, c["latent_dim"]))
            up, width = [], c["latent_dim"]
            for h in reversed(c["hidden_sizes"]):
                up += [nn.Linear(width, h), nn.ReLU()]
                width = h
            up += [nn.Linear(width, pixels), nn.Sigmoid(), nn.Unflatten(1, (channels_in, size, size))]
        self.encoder = nn.Sequential(*down)
        self.decoder = nn.Sequential(*up)

    def forward(self, x):
        return self.decoder(self.encoder(x))


class Vae(nn.Module):
    def __init__(self, c, channels_in, size):
        super().__init__()
        down, up, flat = conv_autoencoder_layers(c, channels_in, size, c["latent_dim"], sigmoid=False)
        self.encoder = nn.Sequential(*down)
        self.z_mean = nn.Linear(flat, c["latent_dim"])
        self.z_log_var = nn.Linear(flat, c["latent_dim"])
        self.decoder = nn.Sequential(*up)


class CaptionEncoder(nn.Module):
    def __init__(self, vocab, dim):
        super().__init__()
        self.embedding = nn.Embedding(vocab, dim)

    def forward(self, tokens, mask):                  # mean of the word vectors under the mask
        return (self.embedding(tokens) * mask[..., None]).sum(1) / mask.sum(1, keepdim=True)


class Denoiser(nn.Module):
    def __init__(self, c, channels_in, size, caption_vocab):
        super().__init__()
        self.unet = UNet(image_channels=channels_in, base_channels=c["base_channels"], channel_mults=tuple(c["channel_mults"]),
                         blocks_per_level=c["blocks_per_level"], attention_levels=tuple(c["attention_levels"]),
                         mid_attention=c["mid_attention"], heads=c["heads"], groups=c["groups"], dropout=0.0,
                         time_embedding_dim=c["time_embedding_dim"], cond_dim=c["cond_dim"])
        if caption_vocab > 0:
            self.captions = CaptionEncoder(caption_vocab, c["cond_dim"])


def build(config):
    c, arch = config["config"], config["architecture"]
    if arch == "mlp_char":
        return MlpChar(c, config["vocab_size"])
    if arch == "gpt":
        return Gpt2(c)
    if arch == "autoencoder":
        return Autoencoder(c, config["image_channels"], config["image_size"])
    if arch == "vae":
        return Vae(c, config["image_channels"], config["image_size"])
    if arch == "diffusion_unet":
        return Denoiser(c, config["image_channels"], config["image_size"], config["caption_vocab_size"])
    raise SystemExit(f"unknown architecture {arch}")


def run(model, arch, inputs):
    """The outputs GenLab's test computed, by name."""
    t = lambda key, dtype=torch.float32: torch.tensor(inputs[key], dtype=dtype)
    if arch == "mlp_char":
        return {"logits": model(t("contexts", torch.int64))}
    if arch == "gpt":
        return {"logits": model(t("ids", torch.int64))}
    if arch == "autoencoder":
        return {"reconstruction": model(t("images"))}
    if arch == "vae":
        h = model.encoder(t("images"))
        mean = model.z_mean(h)
        return {"mean": mean, "log_var": model.z_log_var(h), "decoded": torch.sigmoid(model.decoder(mean))}
    if arch == "diffusion_unet":
        out = {"eps": model.unet(t("x"), t("t", torch.int64))}
        if "tokens" in inputs:
            cond = model.captions(t("tokens", torch.int64), t("mask"))
            out["caption_embedding"] = cond
            out["eps_caption"] = model.unet(t("x"), t("t", torch.int64), cond)
        return out
    raise SystemExit(f"unknown architecture {arch}")


def main():
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    folder, case_path = sys.argv[1], sys.argv[2]
    with open(os.path.join(folder, "config.json")) as f:
        config = json.load(f)
    with open(case_path) as f:
        case = json.load(f)
    arch = config["architecture"]
    failed = False
    for role, file_name in config["weights"].items():
        model = build(config).eval()
        model.load_state_dict(load_weights(folder, file_name), strict=True)
        print(f"{arch}: {file_name} loaded ({sum(p.numel() for p in model.parameters())} parameters, torch {torch.__version__})")
        if role != "model":
            continue
        with torch.no_grad():
            outputs = run(model, arch, case["inputs"])
        for name, expected in case["outputs"].items():
            got = outputs[name]
            want = torch.tensor(expected, dtype=torch.float32)
            if got.shape != want.shape:
                print(f"  {name}: shape {tuple(got.shape)}, GenLab's is {tuple(want.shape)}")
                failed = True
                continue
            diff = (got - want).abs().max().item()
            ok = diff <= TOLERANCE
            failed |= not ok
            print(f"  {name} {tuple(got.shape)}: max |PyTorch - GenLab| = {diff:.2e} {'ok' if ok else f'> {TOLERANCE}'}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
