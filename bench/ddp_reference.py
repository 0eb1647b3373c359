#!/usr/bin/env python3
"""PyTorch DDP reference for launch/bench-dp: data-parallel training throughput of the
SwiftDDK demo student, written from scratch in plain torch (no transformers).

The model is a Llama-style decoder sized as the demo's student (launch/configs/demo.toml):
hidden 256, SwiGLU FFN 704, 6 layers, 4 query heads / 2 KV heads (grouped-query), head size
64, RoPE theta 1e5, RMSNorm eps 1e-5, vocabulary 49,152, tied input/output embedding, no
biases, fp32, causal attention (torch's scaled_dot_product_attention): 17,009,920
parameters. Loss: cross-entropy on uniform random token ids; AdamW (fused; lr 2e-3, betas
0.9/0.95, weight decay 0.01) with gradient clipping at 1.0. Each of --world-size processes (torch.multiprocessing spawn, gloo on
127.0.0.1, DistributedDataParallel also at world size 1) uses one thread and trains
--batch-sequences x --sequence-length tokens per step.

--steps S as in `ddk bench distill`: S steps, the first a warm-up, the other S-1 timed,
each with a wall clock around zero_grad + forward + backward + clip + optimizer step (no
barrier). After training, the ranks' step times are gathered and a step counts as its
slowest rank's time. Prints ONE JSON line on stdout (everything else goes to stderr):
  world_size, steps_timed, tokens_per_step (global), parameters, step_seconds (per timed
  step), step_seconds_median, step_seconds_mean, tokens_per_second (global tokens over the
  median step), tokens_per_second_mean (over the mean step), final_loss, torch_version.
Exit 2 when torch is missing.

Usage: python3 bench/ddp_reference.py [--world-size N] [--steps S] [--sequence-length L]
           [--batch-sequences B] [--port P] [--seed N]
"""
import argparse
import json
import math
import os
import socket
import statistics
import sys
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

try:
    import torch
    import torch.distributed as dist
    import torch.multiprocessing as mp
    import torch.nn as nn
    import torch.nn.functional as F
except ImportError:
    print("ddp_reference: torch is not installed; install CPU torch with: "
          "python3 -m pip install torch==2.13.0+cpu --extra-index-url https://download.pytorch.org/whl/cpu",
          file=sys.stderr)
    sys.exit(2)

EXPECTED_PARAMETERS = 17_009_920  # SwiftDDK's demo student


class Config:
    vocab_size = 49_152
    hidden_size = 256
    intermediate_size = 704
    num_layers = 6
    num_heads = 4
    num_kv_heads = 2
    head_dim = 64
    rope_theta = 100_000.0
    rms_eps = 1e-5


class RMSNorm(nn.Module):
    def __init__(self, size, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(size))
        self.eps = eps

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


def rope_tables(length, head_dim, theta):
    """cos and sin of shape (length, head_dim), the two halves repeated (rotate-half form)."""
    inverse = 1.0 / (theta ** (torch.arange(0, head_dim, 2, dtype=torch.float32) / head_dim))
    angles = torch.outer(torch.arange(length, dtype=torch.float32), inverse)
    angles = torch.cat((angles, angles), dim=-1)
    return angles.cos(), angles.sin()


def rotate_half(x):
    first, second = x.chunk(2, dim=-1)
    return torch.cat((-second, first), dim=-1)


def apply_rope(x, cos, sin):
    return x * cos + rotate_half(x) * sin


class Attention(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.heads, self.kv_heads, self.head_dim = c.num_heads, c.num_kv_heads, c.head_dim
        self.q_proj = nn.Linear(c.hidden_size, c.num_heads * c.head_dim, bias=False)
        self.k_proj = nn.Linear(c.hidden_size, c.num_kv_heads * c.head_dim, bias=False)
        self.v_proj = nn.Linear(c.hidden_size, c.num_kv_heads * c.head_dim, bias=False)
        self.o_proj = nn.Linear(c.num_heads * c.head_dim, c.hidden_size, bias=False)

    def forward(self, x, cos, sin):
        batch, length, _ = x.shape
        q = self.q_proj(x).view(batch, length, self.heads, self.head_dim).transpose(1, 2)
        k = self.k_proj(x).view(batch, length, self.kv_heads, self.head_dim).transpose(1, 2)
        v = self.v_proj(x).view(batch, length, self.kv_heads, self.head_dim).transpose(1, 2)
        q, k = apply_rope(q, cos, sin), apply_rope(k, cos, sin)
        group = self.heads // self.kv_heads
        k = k.repeat_interleave(group, dim=1)
        v = v.repeat_interleave(group, dim=1)
        out = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.o_proj(out.transpose(1, 2).reshape(batch, length, self.heads * self.head_dim))


class MLP(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.gate_proj = nn.Linear(c.hidden_size, c.intermediate_size, bias=False)
        self.up_proj = nn.Linear(c.hidden_size, c.intermediate_size, bias=False)
        self.down_proj = nn.Linear(c.intermediate_size, c.hidden_size, bias=False)

    def forward(self, x):
        return self.down_proj(F.silu(self.gate_proj(x)) * self.up_proj(x))


class Block(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.input_norm = RMSNorm(c.hidden_size, c.rms_eps)
        self.attention = Attention(c)
        self.post_attention_norm = RMSNorm(c.hidden_size, c.rms_eps)
        self.mlp = MLP(c)

    def forward(self, x, cos, sin):
        x = x + self.attention(self.input_norm(x), cos, sin)
        return x + self.mlp(self.post_attention_norm(x))


class Decoder(nn.Module):
    def __init__(self, c, max_length):
        super().__init__()
        self.embed = nn.Embedding(c.vocab_size, c.hidden_size)
        self.blocks = nn.ModuleList(Block(c) for _ in range(c.num_layers))
        self.norm = RMSNorm(c.hidden_size, c.rms_eps)
        cos, sin = rope_tables(max_length, c.head_dim, c.rope_theta)
        self.register_buffer("cos", cos, persistent=False)
        self.register_buffer("sin", sin, persistent=False)
        for module in self.modules():
            if isinstance(module, (nn.Linear, nn.Embedding)):
                nn.init.normal_(module.weight, std=0.02)

    def forward(self, ids):
        length = ids.shape[1]
        cos, sin = self.cos[:length], self.sin[:length]
        x = self.embed(ids)
        for block in self.blocks:
            x = block(x, cos, sin)
        return F.linear(self.norm(x), self.embed.weight)  # tied output embedding


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def worker(rank, args, port):
    torch.set_num_threads(1)
    torch.set_num_interop_threads(1)
    os.environ["MASTER_ADDR"] = "127.0.0.1"
    os.environ["MASTER_PORT"] = str(port)
    dist.init_process_group("gloo", rank=rank, world_size=args.world_size)
    torch.manual_seed(args.seed)  # same initial weights on every rank (DDP broadcasts rank 0's anyway)
    c = Config()
    model = Decoder(c, args.sequence_length)
    parameters = sum(p.numel() for p in model.parameters())
    if rank == 0:
        note = "" if parameters == EXPECTED_PARAMETERS else f" (SwiftDDK's student has {EXPECTED_PARAMETERS:,})"
        print(f"ddp_reference: {parameters:,} parameters{note}; world size {args.world_size}, "
              f"{args.batch_sequences}x{args.sequence_length} tokens per rank, torch {torch.__version__}, "
              f"{torch.get_num_threads()} thread", file=sys.stderr, flush=True)
    ddp = nn.parallel.DistributedDataParallel(model)
    # fused=True: PyTorch's single-kernel AdamW on CPU (the fastest stock one; same update).
    optimizer = torch.optim.AdamW(ddp.parameters(), lr=2e-3, betas=(0.9, 0.95), eps=1e-8, weight_decay=0.01,
                                  fused=True)
    generator = torch.Generator().manual_seed(args.seed * 1000 + rank)
    # Uniform random token ids, drawn before timing: sequence_length + 1 tokens per row.
    batches = [torch.randint(0, c.vocab_size, (args.batch_sequences, args.sequence_length + 1), generator=generator)
               for _ in range(args.steps)]
    seconds, loss_value = [], math.nan
    for step, batch in enumerate(batches):
        started = time.perf_counter()
        optimizer.zero_grad(set_to_none=True)
        logits = ddp(batch[:, :-1])
        loss = F.cross_entropy(logits.reshape(-1, c.vocab_size), batch[:, 1:].reshape(-1))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(ddp.parameters(), 1.0)
        optimizer.step()
        elapsed = time.perf_counter() - started
        loss_value = loss.item()
        if step > 0:
            seconds.append(elapsed)
        if rank == 0:
            print(f"ddp_reference: step {step + 1}/{args.steps}{' (warm-up)' if step == 0 else ''} "
                  f"loss {loss_value:.4f} {elapsed:.3f} s", file=sys.stderr, flush=True)
    gathered = [None] * args.world_size
    dist.all_gather_object(gathered, seconds)
    if rank == 0:
        slowest = [max(values) for values in zip(*gathered)]
        tokens = args.batch_sequences * args.sequence_length * args.world_size
        median, mean = statistics.median(slowest), statistics.fmean(slowest)
        print(json.dumps({
            "world_size": args.world_size, "steps_timed": len(slowest), "tokens_per_step": tokens,
            "parameters": parameters, "step_seconds": slowest, "step_seconds_median": median,
            "step_seconds_mean": mean, "tokens_per_second": tokens / median, "tokens_per_second_mean": tokens / mean,
            "final_loss": loss_value, "torch_version": torch.__version__,
        }), flush=True)
    dist.destroy_process_group()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--world-size", type=int, default=1)
    parser.add_argument("--steps", type=int, default=6, help="steps in all; the first is a warm-up, not timed")
    parser.add_argument("--sequence-length", type=int, default=256)
    parser.add_argument("--batch-sequences", type=int, default=8, help="sequences per rank and step")
    parser.add_argument("--port", type=int, default=0, help="MASTER_PORT (default: a free one)")
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args()
    if args.steps < 2:
        parser.error("--steps must be at least 2 (one warm-up, one timed)")
    port = args.port or free_port()
    mp.spawn(worker, args=(args, port), nprocs=args.world_size, join=True)


if __name__ == "__main__":
    main()
