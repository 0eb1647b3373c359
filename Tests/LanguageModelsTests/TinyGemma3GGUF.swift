import Foundation

/// Writes a tiny gemma3 GGUF file for loader tests: C=8, NH=2, KVH=1, HS=4, F=16, L=1
/// (a sliding-window layer, window 4), V = `vocabularyRows`, context 32, with a byte-level
/// BPE tokenizer of `tokens` tokens. F32 tensors of distinct values (`TinyLlamaGGUF.value`).
struct TinyGemma3GGUF {
    var vocabularyRows: Int
    var tokens: Int

    func write() throws -> String {
        var writer = TinyGGUFWriter()
        writer.metadata = [("general.architecture", .string("gemma3")),
                           ("gemma3.embedding_length", .uint32(8)),
                           ("gemma3.feed_forward_length", .uint32(16)),
                           ("gemma3.block_count", .uint32(1)),
                           ("gemma3.attention.head_count", .uint32(2)),
                           ("gemma3.attention.head_count_kv", .uint32(1)),
                           ("gemma3.attention.key_length", .uint32(4)),
                           ("gemma3.attention.value_length", .uint32(4)),
                           ("gemma3.attention.layer_norm_rms_epsilon", .float32(1e-6)),
                           ("gemma3.attention.sliding_window", .uint32(4)),
                           ("gemma3.context_length", .uint32(32)),
                           ("tokenizer.ggml.model", .string("gpt2")),
                           ("tokenizer.ggml.tokens", .strings(TinyLlamaGGUF.tokenStrings(tokens))),
                           ("tokenizer.ggml.merges", .strings([]))]
        let block = [("attn_norm", [8]), ("attn_q", [8, 8]), ("attn_k", [8, 4]), ("attn_v", [8, 4]),
                     ("attn_q_norm", [4]), ("attn_k_norm", [4]), ("attn_output", [8, 8]), ("post_attention_norm", [8]),
                     ("ffn_norm", [8]), ("ffn_gate", [8, 16]), ("ffn_up", [8, 16]), ("ffn_down", [16, 8]),
                     ("post_ffw_norm", [8])].map { ("blk.0.\($0).weight", $1) }
        let shapes = [("token_embd.weight", [8, vocabularyRows])] + block + [("output_norm.weight", [8])]
        writer.tensors = shapes.enumerated().map { t, shape in
            let values = (0..<shape.1.reduce(1, *)).map { TinyLlamaGGUF.value(tensor: t, index: $0) }
            return .init(name: shape.0, dims: shape.1, type: .f32, data: TinyQuantization.f32.encode(values))
        }
        return try writer.write(prefix: "tiny-gemma3")
    }
}
