import Engine
import GGUF

extension LlamaConfig {
    /// The configuration of a llama-architecture GGUF file, from its `llama.*` metadata:
    /// `embedding_length` (C), `feed_forward_length` (F), `block_count` (L),
    /// `attention.head_count` (NH), `attention.head_count_kv` (KVH, default NH),
    /// `attention.layer_norm_rms_epsilon`, `rope.freq_base` (default 10000),
    /// `context_length`; the vocabulary is the tokenizer's token count (padded rows of
    /// `token_embd.weight` and `output.weight` are trimmed, `VocabularyAlignment`), else the
    /// rows of `token_embd.weight`, and `vocab_size` when present must be one of the two; the
    /// head is tied when there is no `output.weight` tensor.
    /// Refuses other architectures, rotary embedding on part of a head, and RoPE scaling.
    public init(gguf file: GGUFFile) throws {
        try file.requireArchitecture("llama")
        let hidden = try file.integer("llama.embedding_length")
        let heads = try file.integer("llama.attention.head_count")
        let vocabulary = try file.modelVocabularySize(vocabularyKey: "llama.vocab_size")
        let epsilon = try file.number("llama.attention.layer_norm_rms_epsilon")
        let theta = file.metadata["llama.rope.freq_base"] == nil ? 10_000 : try file.number("llama.rope.freq_base")
        if let rotated = try file.optionalInteger("llama.rope.dimension_count"), heads > 0, rotated != hidden / heads {
            throw file.modelError("llama.rope.dimension_count", "is \(rotated) but the head size is \(hidden / heads); partial rotary embedding is not supported")
        }
        if let scaling = file.metadata["llama.rope.scaling.type"]?.string, scaling != "none" {
            throw file.modelError("llama.rope.scaling.type", "is '\(scaling)'; RoPE scaling is not supported")
        }
        do {
            try self.init(hiddenSize: hidden,
                          intermediateSize: try file.integer("llama.feed_forward_length"),
                          layerCount: try file.integer("llama.block_count"),
                          attentionHeadCount: heads,
                          keyValueHeadCount: try file.optionalInteger("llama.attention.head_count_kv") ?? heads,
                          vocabularySize: vocabulary,
                          rmsNormEpsilon: Float(epsilon),
                          ropeTheta: Float(theta),
                          maxPositionEmbeddings: try file.integer("llama.context_length"),
                          tieWordEmbeddings: !file.containsTensor(named: "output.weight"))
        } catch let error as LlamaConfigError {
            throw file.modelError(nil, error.description)
        }
    }
}
