import GGUF
import Tokenizer

/// The two GGUF seeds: a tiny llama with a byte-level BPE vocabulary and a tiny gemma3 with
/// a SentencePiece one, each with the metadata its config reader needs and tensors of every
/// type the reader dequantizes (random bytes: any bits are valid input to a dequantizer).
enum SeedModels {
    static func llama() -> [UInt8] {
        let tokens = ["<|endoftext|>", "h", "e", "l", "o", "w", "r", "d", "Ġ", "he", "ll", "hell", "hello", "Ġw"]
        var writer = SeedGGUFWriter()
        writer.metadata = [("general.architecture", .string("llama")), ("llama.embedding_length", .uint32(32)),
                           ("llama.feed_forward_length", .uint32(64)), ("llama.block_count", .uint32(1)),
                           ("llama.attention.head_count", .uint32(4)), ("llama.attention.head_count_kv", .uint32(2)),
                           ("llama.attention.layer_norm_rms_epsilon", .float32(1e-5)), ("llama.context_length", .uint32(64)),
                           ("llama.rope.freq_base", .float32(10_000)), ("llama.vocab_size", .uint32(UInt32(tokens.count))),
                           ("tokenizer.ggml.model", .string("gpt2")), ("tokenizer.ggml.tokens", .strings(tokens)),
                           ("tokenizer.ggml.merges", .strings(["h e", "l l", "he ll", "hell o", "Ġ w"])),
                           ("tokenizer.ggml.bos_token_id", .uint32(0)), ("tokenizer.ggml.eos_token_id", .uint32(0))]
        writer.tensors = [tensor("token_embd.weight", [32, tokens.count], .q8_0), tensor("blk.0.attn_norm.weight", [32], .f32),
                          tensor("blk.0.attn_q.weight", [32, 32], .q4_0), tensor("blk.0.attn_k.weight", [32, 16], .q4_1),
                          tensor("blk.0.attn_v.weight", [32, 16], .q5_0), tensor("blk.0.attn_output.weight", [32, 32], .q5_1),
                          tensor("blk.0.ffn_gate.weight", [32, 64], .f16), tensor("blk.0.ffn_up.weight", [32, 64], .bf16),
                          tensor("blk.0.ffn_down.weight", [64, 32], .q8_0), tensor("output_norm.weight", [32], .f32),
                          tensor("extra.q2_k", [256, 1], .q2_K), tensor("extra.q3_k", [256, 1], .q3_K),
                          tensor("extra.q4_k", [256, 1], .q4_K), tensor("extra.q5_k", [256, 1], .q5_K),
                          tensor("extra.q6_k", [256, 2], .q6_K)]
        return writer.bytes()
    }

    static func gemma3() -> [UInt8] {
        let special = ["<pad>", "<eos>", "<bos>", "<unk>"]
        let bytes = (0..<256).map { "<0x" + String($0, radix: 16, uppercase: true).leftPadded(to: 2) + ">" }
        let pieces = ["▁", "▁h", "he", "llo", "▁hello", "▁w", "or", "ld", "\n\n", "<start_of_turn>"]
        let types: [TokenType] = Array(repeating: .control, count: 3) + [.unknown] + Array(repeating: .byte, count: 256)
            + Array(repeating: .normal, count: 8) + [.userDefined, .control]
        let tokens = special + bytes + pieces
        var writer = SeedGGUFWriter()
        writer.metadata = [("general.architecture", .string("gemma3")), ("gemma3.embedding_length", .uint32(8)),
                           ("gemma3.feed_forward_length", .uint32(16)), ("gemma3.block_count", .uint32(1)),
                           ("gemma3.attention.head_count", .uint32(2)), ("gemma3.attention.head_count_kv", .uint32(1)),
                           ("gemma3.attention.key_length", .uint32(4)), ("gemma3.attention.value_length", .uint32(4)),
                           ("gemma3.attention.layer_norm_rms_epsilon", .float32(1e-6)),
                           ("gemma3.attention.sliding_window", .uint32(4)), ("gemma3.context_length", .uint32(32)),
                           ("tokenizer.ggml.model", .string("llama")), ("tokenizer.ggml.tokens", .strings(tokens)),
                           ("tokenizer.ggml.scores", .floats(tokens.indices.map { -Float($0) })),
                           ("tokenizer.ggml.token_type", .int32s(types.map(\.rawValue))),
                           ("tokenizer.ggml.bos_token_id", .uint32(2)), ("tokenizer.ggml.eos_token_id", .uint32(1)),
                           ("tokenizer.ggml.unknown_token_id", .uint32(3)), ("tokenizer.ggml.padding_token_id", .uint32(0)),
                           ("tokenizer.ggml.add_bos_token", .bool(true)), ("tokenizer.ggml.add_space_prefix", .bool(false))]
        writer.tensors = [tensor("token_embd.weight", [8, tokens.count + 2], .f16), tensor("blk.0.attn_norm.weight", [8], .f32),
                          tensor("blk.0.attn_q.weight", [8, 8], .f32), tensor("output_norm.weight", [8], .f32)]
        return writer.bytes()
    }

    /// A tensor of `type` holding deterministic pseudo-random bytes.
    private static func tensor(_ name: String, _ dimensions: [Int], _ type: GGUFTensorType) -> SeedGGUFWriter.Tensor {
        let count = dimensions.reduce(1, *) / type.blockSize * type.bytesPerBlock
        var state: UInt32 = 0x9E37_79B9 &* UInt32(truncatingIfNeeded: name.utf8.count + count)
        let data = (0..<count).map { _ -> UInt8 in
            state = state &* 1_664_525 &+ 1_013_904_223
            return UInt8(truncatingIfNeeded: state >> 24)
        }
        return SeedGGUFWriter.Tensor(name: name, dimensions: dimensions, typeID: type.rawValue, data: data)
    }
}

private extension String {
    func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
