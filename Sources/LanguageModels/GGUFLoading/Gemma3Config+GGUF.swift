import Engine
import GGUF

extension Gemma3Config {
    /// The configuration of a gemma3-architecture GGUF file, from its `gemma3.*` metadata:
    /// `embedding_length` (C), `feed_forward_length` (F), `block_count` (L),
    /// `attention.head_count` (NH), `attention.head_count_kv` (KVH, default NH),
    /// `attention.key_length` (HS; `value_length` must equal it),
    /// `attention.layer_norm_rms_epsilon`, `rope.freq_base` (global layers, default 1e6),
    /// `attention.sliding_window`, `context_length`, and the vocabulary from the tokens (padded
    /// rows of `token_embd.weight` are trimmed, `VocabularyAlignment`; without tokens, its
    /// rows). What the file does not say is llama.cpp's: local layers use RoPE base 10000,
    /// every 6th layer is global, and the scores are scaled by 1/√HS (1/√(C/NH) for the
    /// 62-layer 27B). Refuses RoPE scaling and logit soft-capping.
    public init(gguf file: GGUFFile) throws {
        try file.requireArchitecture("gemma3", loadedAs: " as Gemma 3")
        for key in ["gemma3.rope.scaling.type", "gemma3.final_logit_softcapping", "gemma3.attn_logit_softcapping"]
        where file.metadata[key] != nil && file.metadata[key]?.string != "none" {
            throw file.modelError(key, "is set; not supported")
        }
        let hidden = try file.integer("gemma3.embedding_length")
        let heads = try file.integer("gemma3.attention.head_count")
        let layers = try file.integer("gemma3.block_count")
        // The layer types are made per layer before the config is checked: bound the count
        // first (every layer is at least one tensor of the file).
        guard (1...max(1, file.tensors.count)).contains(layers) else {
            throw file.modelError("gemma3.block_count", "is \(layers); the file holds \(file.tensors.count) tensors")
        }
        let headSize = try file.integer("gemma3.attention.key_length")
        if let valueLength = try file.optionalInteger("gemma3.attention.value_length"), valueLength != headSize {
            throw file.modelError("gemma3.attention.value_length", "is \(valueLength) but key_length is \(headSize); not supported")
        }
        let vocabulary = try file.modelVocabularySize()
        let theta = file.metadata["gemma3.rope.freq_base"] == nil ? 1_000_000 : try file.number("gemma3.rope.freq_base")
        do {
            try self.init(hiddenSize: hidden,
                          intermediateSize: try file.integer("gemma3.feed_forward_length"),
                          layerCount: layers,
                          attentionHeadCount: heads,
                          keyValueHeadCount: try file.optionalInteger("gemma3.attention.head_count_kv") ?? heads,
                          headSize: headSize,
                          vocabularySize: vocabulary,
                          rmsNormEpsilon: Float(try file.number("gemma3.attention.layer_norm_rms_epsilon")),
                          ropeTheta: Float(theta),
                          localRopeTheta: 10_000,
                          slidingWindow: try file.integer("gemma3.attention.sliding_window"),
                          layerTypes: Self.layerTypes(count: layers, slidingWindowPattern: 6),
                          queryPreAttentionScalar: Float(layers == 62 && heads > 0 ? hidden / heads : headSize),
                          maxPositionEmbeddings: try file.integer("gemma3.context_length"))
        } catch let error as Gemma3ConfigError {
            throw file.modelError(nil, error.description)
        }
    }
}
