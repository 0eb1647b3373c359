import Foundation

/// Writes a tiny llama GGUF file for loader tests: C = `hiddenSize` (8 by default), NH=2
/// (HS=C/2), KVH=1, F=16, L=1, V = `vocabularyRows` (16 by default), context 32. Every
/// value is distinct so misplaced data shows; tensors are F32 unless `types` says otherwise.
struct TinyLlamaGGUF {
    var architecture = "llama"
    var tensors: [(name: String, dims: [Int])]
    /// `llama.vocab_size`; nil leaves the key out.
    var vocabularySizeKey: Int?
    /// The tokens of a byte-level BPE tokenizer without merges, written as `tokenizer.ggml.*`;
    /// nil writes no tokenizer (the vocabulary is then the rows of `token_embd.weight`).
    var tokens: [String]?
    /// The ggml type of each tensor named here; the others are F32.
    var types: [String: TinyQuantization] = [:]
    private let hiddenSize: Int

    init(hiddenSize: Int = 8, vocabularyRows: Int = 16) {
        let C = hiddenSize
        self.hiddenSize = C
        vocabularySizeKey = vocabularyRows
        tensors = [("token_embd.weight", [C, vocabularyRows]),
                   ("blk.0.attn_norm.weight", [C]),
                   ("blk.0.attn_q.weight", [C, C]),
                   ("blk.0.attn_k.weight", [C, C / 2]),
                   ("blk.0.attn_v.weight", [C, C / 2]),
                   ("blk.0.attn_output.weight", [C, C]),
                   ("blk.0.ffn_norm.weight", [C]),
                   ("blk.0.ffn_gate.weight", [C, 16]),
                   ("blk.0.ffn_up.weight", [C, 16]),
                   ("blk.0.ffn_down.weight", [16, C]),
                   ("output_norm.weight", [C])]
    }

    /// Value `i` of tensor number `t`: distinct across all tensors, small and finite. A
    /// tensor's first rows hold the same values whatever its row count.
    static func value(tensor t: Int, index i: Int) -> Float { Float(t) + Float(i) * 1e-3 }

    /// `count` distinct token strings ("t0", "t1", ...).
    static func tokenStrings(_ count: Int) -> [String] { (0..<count).map { "t\($0)" } }

    func write() throws -> String {
        var writer = TinyGGUFWriter()
        writer.metadata = [("general.architecture", .string(architecture)),
                           ("llama.embedding_length", .uint32(UInt32(hiddenSize))),
                           ("llama.feed_forward_length", .uint32(16)),
                           ("llama.block_count", .uint32(1)),
                           ("llama.attention.head_count", .uint32(2)),
                           ("llama.attention.head_count_kv", .uint32(1)),
                           ("llama.attention.layer_norm_rms_epsilon", .float32(1e-5)),
                           ("llama.rope.freq_base", .float32(10000)),
                           ("llama.context_length", .uint32(32))]
        if let vocabularySizeKey { writer.metadata.append(("llama.vocab_size", .uint32(UInt32(vocabularySizeKey)))) }
        if let tokens {
            writer.metadata += [("tokenizer.ggml.model", .string("gpt2")), ("tokenizer.ggml.tokens", .strings(tokens)),
                                ("tokenizer.ggml.merges", .strings([]))]
        }
        writer.tensors = tensors.enumerated().map { t, tensor in
            let type = types[tensor.name] ?? .f32
            let values = (0..<tensor.dims.reduce(1, *)).map { Self.value(tensor: t, index: $0) }
            return .init(name: tensor.name, dims: tensor.dims, type: type, data: type.encode(values))
        }
        return try writer.write(prefix: "tiny-llama")
    }
}
