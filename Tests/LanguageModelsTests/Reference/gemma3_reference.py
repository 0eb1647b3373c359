"""An independent NumPy forward pass of a Gemma 3 GGUF file, for Gemma3ReferenceTests.

Written from the architecture's description (Hugging Face Gemma3ForCausalLM semantics), not
from the Swift code: weights dequantized by the `gguf` package (PyPI, 0.19.0), float32
activations, log-probabilities in float64.

    python3 gemma3_reference.py MODEL.gguf REQUEST.json OUT_DIR

REQUEST.json: {"logits": [ids...], "windowed": {"ids": [ids...], "window": w}, "score": [[ids...], ...],
               "greedy": {"prompt": [ids...], "steps": n}}
Writes OUT_DIR/logits.f32 (the logits of "logits", row-major (T, V), little-endian float32) and
OUT_DIR/windowed.f32 (the logits of "windowed" with the sliding window narrowed to w, so that a
short text exercises it), and prints {"mean_nll": [...], "greedy": [...]} on standard output.
Exit status 3 when numpy or gguf cannot be imported.
"""
import json
import os
import sys

# One BLAS thread: the Swift side computes alongside, and small matrices gain nothing from more.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

try:
    import numpy as np
    from gguf import GGUFReader
    from gguf.quants import dequantize
except ImportError as error:
    print(f"cannot import numpy/gguf: {error}", file=sys.stderr)
    sys.exit(3)


class Gemma3:
    def __init__(self, path):
        reader = GGUFReader(path)
        meta = {name: field.contents() for name, field in reader.fields.items()
                if not name.startswith("tokenizer.")}
        assert meta["general.architecture"] == "gemma3", meta["general.architecture"]
        p = "gemma3."
        self.width = meta[p + "embedding_length"]
        self.layers = meta[p + "block_count"]
        self.heads = meta[p + "attention.head_count"]
        self.kv_heads = meta[p + "attention.head_count_kv"]
        self.head_dim = meta[p + "attention.key_length"]
        self.eps = meta[p + "attention.layer_norm_rms_epsilon"]
        self.window = meta[p + "attention.sliding_window"]
        self.global_base = meta.get(p + "rope.freq_base", 1e6)
        self.local_base = 10000.0           # rope_local_base_freq of every Gemma 3 config
        self.scale = self.head_dim ** -0.5  # query_pre_attn_scalar = head_dim for 270M
        self.weights = {t.name: dequantize(t.data, t.tensor_type).astype(np.float32).reshape(
            [int(d) for d in reversed(t.shape)]) for t in reader.tensors}

    def w(self, name):
        return self.weights[name]

    def norm(self, x, name):
        # Hugging Face's Gemma3RMSNorm multiplies by (1 + weight); llama.cpp's converter
        # stores 1 + weight in the GGUF, so the stored tensor is the gain itself.
        gain = self.w(name)
        x64 = x.astype(np.float64)
        return (x64 / np.sqrt((x64 * x64).mean(-1, keepdims=True) + self.eps) * gain).astype(np.float32)

    def rope(self, x, base):
        # x (T, H, D); rotate-half pairs (i, i + D/2) by position · base^(-2i/D)
        T, _, D = x.shape
        half = D // 2
        angles = np.arange(T)[:, None] * base ** (-np.arange(half) * 2.0 / D)[None, :]
        cos, sin = np.cos(angles)[:, None, :], np.sin(angles)[:, None, :]
        a, b = x[..., :half].astype(np.float64), x[..., half:].astype(np.float64)
        return np.concatenate([a * cos - b * sin, b * cos + a * sin], -1).astype(np.float32)

    def attention(self, h, l):
        T, D = h.shape[0], self.head_dim
        blk = f"blk.{l}."
        q = (h @ self.w(blk + "attn_q.weight").T).reshape(T, self.heads, D)
        k = (h @ self.w(blk + "attn_k.weight").T).reshape(T, self.kv_heads, D)
        v = (h @ self.w(blk + "attn_v.weight").T).reshape(T, self.kv_heads, D)
        q, k = self.norm(q, blk + "attn_q_norm.weight"), self.norm(k, blk + "attn_k_norm.weight")
        is_global = (l + 1) % 6 == 0   # Gemma 3's layer pattern: 5 sliding, then 1 global
        base = self.global_base if is_global else self.local_base
        q, k = self.rope(q, base), self.rope(k, base)
        i, j = np.arange(T)[:, None], np.arange(T)[None, :]
        visible = j <= i if is_global else (j <= i) & (i - j < self.window)
        out = np.empty((T, self.heads, D), np.float32)
        group = self.heads // self.kv_heads
        for head in range(self.heads):
            scores = (q[:, head] @ k[:, head // group].T) * np.float32(self.scale)
            scores = np.where(visible, scores, -np.inf)
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            probabilities = (scores / scores.sum(-1, keepdims=True)).astype(np.float32)
            out[:, head] = probabilities @ v[:, head // group]
        return out.reshape(T, self.heads * D) @ self.w(blk + "attn_output.weight").T

    def mlp(self, h, l):
        blk = f"blk.{l}."
        gate = h @ self.w(blk + "ffn_gate.weight").T
        up = h @ self.w(blk + "ffn_up.weight").T
        g64 = gate.astype(np.float64)
        gelu = 0.5 * g64 * (1 + np.tanh(np.sqrt(2 / np.pi) * (g64 + 0.044715 * g64 ** 3)))
        return (gelu.astype(np.float32) * up) @ self.w(blk + "ffn_down.weight").T

    def hidden(self, ids):
        x = self.w("token_embd.weight")[np.asarray(ids)] * np.float32(np.sqrt(self.width))
        for l in range(self.layers):
            blk = f"blk.{l}."
            x = x + self.norm(self.attention(self.norm(x, blk + "attn_norm.weight"), l), blk + "post_attention_norm.weight")
            x = x + self.norm(self.mlp(self.norm(x, blk + "ffn_norm.weight"), l), blk + "post_ffw_norm.weight")
        return self.norm(x, "output_norm.weight")

    def logits(self, ids):
        return self.hidden(ids) @ self.w("token_embd.weight").T   # tied head

    def mean_nll(self, ids):
        logits = self.logits(ids)[:-1].astype(np.float64)
        top = logits.max(-1, keepdims=True)
        log_z = np.log(np.exp(logits - top).sum(-1)) + top[:, 0]
        return float((log_z - logits[np.arange(len(ids) - 1), ids[1:]]).mean())

    def greedy(self, prompt, steps):
        ids = list(prompt)
        for _ in range(steps):
            last = self.hidden(ids)[-1] @ self.w("token_embd.weight").T
            ids.append(int(np.argmax(last)))
        return ids[len(prompt):]


def main():
    model_path, request_path, out_dir = sys.argv[1:4]
    request = json.load(open(request_path))
    model = Gemma3(model_path)
    model.logits(request["logits"]).astype("<f4").tofile(f"{out_dir}/logits.f32")
    file_window, model.window = model.window, request["windowed"]["window"]
    model.logits(request["windowed"]["ids"]).astype("<f4").tofile(f"{out_dir}/windowed.f32")
    model.window = file_window
    result = {"mean_nll": [model.mean_nll(ids) for ids in request["score"]],
              "greedy": model.greedy(request["greedy"]["prompt"], request["greedy"]["steps"])}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
