import XCTest
import Engine

/// The exported checkpoint, run by an independent NumPy implementation of
/// Hugging Face's LlamaForCausalLM forward (rotate_half RoPE, repeat_kv), gives
/// the engine's logits. Skips visibly when python3 with NumPy is absent.
final class HuggingFaceReferenceTests: XCTestCase {
    static let script = #"""
import json, struct, sys
import numpy as np
d = sys.argv[1]
cfg = json.load(open(d + "/config.json"))
raw = open(d + "/model.safetensors", "rb").read()
n = struct.unpack("<Q", raw[:8])[0]
header = json.loads(raw[8:8 + n])
W = {}
for name, e in header.items():
    if name == "__metadata__": continue
    assert e["dtype"] == "F32"
    b, en = e["data_offsets"]
    W[name] = np.frombuffer(raw[8 + n + b: 8 + n + en], dtype=np.float32).reshape(e["shape"]).astype(np.float64)
tokens = np.array(json.loads(sys.argv[2]))
B, T = tokens.shape
C = cfg["hidden_size"]; NH = cfg["num_attention_heads"]; KVH = cfg["num_key_value_heads"]; HS = C // NH
eps = cfg["rms_norm_eps"]; theta = cfg["rope_theta"]
def rms(x, w): return x / np.sqrt((x * x).mean(-1, keepdims=True) + eps) * w
inv = 1.0 / theta ** (np.arange(0, HS, 2) / HS)
freqs = np.outer(np.arange(T), inv); emb = np.concatenate([freqs, freqs], -1)
cos, sin = np.cos(emb), np.sin(emb)
def rot_half(x): h = x.shape[-1] // 2; return np.concatenate([-x[..., h:], x[..., :h]], -1)
x = W["model.embed_tokens.weight"][tokens]
for l in range(cfg["num_hidden_layers"]):
    p = "model.layers.%d." % l
    h = rms(x, W[p + "input_layernorm.weight"])
    q = (h @ W[p + "self_attn.q_proj.weight"].T).reshape(B, T, NH, HS).transpose(0, 2, 1, 3)
    k = (h @ W[p + "self_attn.k_proj.weight"].T).reshape(B, T, KVH, HS).transpose(0, 2, 1, 3)
    v = (h @ W[p + "self_attn.v_proj.weight"].T).reshape(B, T, KVH, HS).transpose(0, 2, 1, 3)
    q = q * cos + rot_half(q) * sin; k = k * cos + rot_half(k) * sin
    k = np.repeat(k, NH // KVH, axis=1); v = np.repeat(v, NH // KVH, axis=1)
    s = q @ k.transpose(0, 1, 3, 2) / np.sqrt(HS)
    s = s + np.triu(np.full((T, T), -np.inf), 1)
    s = np.exp(s - s.max(-1, keepdims=True)); s /= s.sum(-1, keepdims=True)
    a = (s @ v).transpose(0, 2, 1, 3).reshape(B, T, C)
    x = x + a @ W[p + "self_attn.o_proj.weight"].T
    h = rms(x, W[p + "post_attention_layernorm.weight"])
    g = h @ W[p + "mlp.gate_proj.weight"].T; u = h @ W[p + "mlp.up_proj.weight"].T
    x = x + (g / (1 + np.exp(-g)) * u) @ W[p + "mlp.down_proj.weight"].T
x = rms(x, W["model.norm.weight"])
head = W["model.embed_tokens.weight"] if cfg["tie_word_embeddings"] else W["lm_head.weight"]
sys.stdout.write(json.dumps((x @ head.T).reshape(-1).tolist()))
"""#

    func testExportedCheckpointMatchesNumPyHuggingFaceForward() throws {
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        probe.arguments = ["python3", "-c", "import numpy"]
        probe.standardError = FileHandle.nullDevice
        do { try probe.run(); probe.waitUntilExit() } catch { throw XCTSkip("SKIPPED: python3 is not available for the NumPy reference") }
        guard probe.terminationStatus == 0 else { throw XCTSkip("SKIPPED: python3 has no NumPy; the Hugging Face reference forward cannot run") }

        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("engine-hf-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        for tied in [true, false] {
            var config = tinyConfig
            config.tieWordEmbeddings = tied
            config.ropeTheta = 100_000
            let B = 2, T = 7
            let model = try LlamaModel(config: config, batchSize: B, sequenceLength: T, seed: 77)
            // larger weights than the init so that attention is far from uniform
            var rnd = TestRandom(78)
            for t in model.layout.tensors where t.shape.count == 2 {
                let view = model.parameters.slice(offset: t.offset, count: t.count)
                for i in view.indices { view[i] = rnd.floats(1, scale: 0.5)[0] }
            }
            try Checkpoint.saveModel(parameters: model.parameters, layout: model.layout, to: directory)
            let tokens = (0..<(B * T)).map { _ in Int32(rnd.int(config.vocabularySize)) }
            try model.forward(tokens: tokens, batchSize: B, sequenceLength: T)
            var engine: [Float] = []
            try model.logits { _, rows, p in engine += Array(UnsafeBufferPointer(start: p, count: rows * config.vocabularySize)) }

            let run = Process()
            run.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            let nested = (0..<B).map { b in Array(tokens[(b * T)..<((b + 1) * T)]) }
            run.arguments = ["python3", "-c", Self.script, directory.path, String(decoding: try JSONEncoder().encode(nested), as: UTF8.self)]
            let out = Pipe()
            run.standardOutput = out
            try run.run()
            let data = out.fileHandleForReading.readDataToEndOfFile()
            run.waitUntilExit()
            XCTAssertEqual(run.terminationStatus, 0)
            let reference = try JSONDecoder().decode([Double].self, from: data)
            XCTAssertEqual(reference.count, engine.count)
            var worst = 0.0, scale = 0.0
            for i in reference.indices {
                worst = max(worst, abs(reference[i] - Double(engine[i])))
                scale = max(scale, abs(reference[i]))
            }
            XCTAssertLessThan(worst, 1e-4 * max(1, scale), "tied=\(tied): max |Δlogit| \(worst), max |logit| \(scale)")
        }
    }
}
