import Foundation

/// The shape of a Llama-family decoder (SmolLM2, TinyLlama, Llama 2/3 style):
/// pre-norm blocks of RMSNorm → grouped-query causal self-attention with rotary
/// position embedding → residual, RMSNorm → SwiGLU MLP → residual, a final
/// RMSNorm and a (possibly tied) LM head.
///
/// Coding keys are Hugging Face's `config.json` keys, so a student's config is
/// readable by `transformers` and a Hugging Face config loads here.
public struct LlamaConfig: Codable, Equatable, Sendable {
    /// Model width C (`hidden_size`).
    public var hiddenSize: Int
    /// SwiGLU inner width F (`intermediate_size`).
    public var intermediateSize: Int
    /// Number of transformer blocks L (`num_hidden_layers`).
    public var layerCount: Int
    /// Number of query heads NH (`num_attention_heads`).
    public var attentionHeadCount: Int
    /// Number of key/value heads KVH (`num_key_value_heads`); divides NH.
    public var keyValueHeadCount: Int
    /// Vocabulary size V (`vocab_size`).
    public var vocabularySize: Int
    /// Epsilon inside RMSNorm's square root (`rms_norm_eps`).
    public var rmsNormEpsilon: Float
    /// Base of the rotary frequencies (`rope_theta`).
    public var ropeTheta: Float
    /// Longest sequence the rotary tables are built for (`max_position_embeddings`).
    public var maxPositionEmbeddings: Int
    /// Whether the LM head reuses the token embedding (`tie_word_embeddings`).
    public var tieWordEmbeddings: Bool

    enum CodingKeys: String, CodingKey {
        case hiddenSize = "hidden_size"
        case intermediateSize = "intermediate_size"
        case layerCount = "num_hidden_layers"
        case attentionHeadCount = "num_attention_heads"
        case keyValueHeadCount = "num_key_value_heads"
        case vocabularySize = "vocab_size"
        case rmsNormEpsilon = "rms_norm_eps"
        case ropeTheta = "rope_theta"
        case maxPositionEmbeddings = "max_position_embeddings"
        case tieWordEmbeddings = "tie_word_embeddings"
    }

    /// Creates a configuration and validates it.
    public init(hiddenSize: Int, intermediateSize: Int, layerCount: Int,
                attentionHeadCount: Int, keyValueHeadCount: Int, vocabularySize: Int,
                rmsNormEpsilon: Float = 1e-5, ropeTheta: Float = 10_000,
                maxPositionEmbeddings: Int = 2048, tieWordEmbeddings: Bool = true) throws {
        self.hiddenSize = hiddenSize
        self.intermediateSize = intermediateSize
        self.layerCount = layerCount
        self.attentionHeadCount = attentionHeadCount
        self.keyValueHeadCount = keyValueHeadCount
        self.vocabularySize = vocabularySize
        self.rmsNormEpsilon = rmsNormEpsilon
        self.ropeTheta = ropeTheta
        self.maxPositionEmbeddings = maxPositionEmbeddings
        self.tieWordEmbeddings = tieWordEmbeddings
        try validate()
    }

    /// Decodes a Hugging Face `config.json` object; `num_key_value_heads` defaults
    /// to `num_attention_heads`, `tie_word_embeddings` to false, `rope_theta` to
    /// 10000 and `rms_norm_eps` to 1e-6 as in `transformers`. Validates the result.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        hiddenSize = try c.decode(Int.self, forKey: .hiddenSize)
        intermediateSize = try c.decode(Int.self, forKey: .intermediateSize)
        layerCount = try c.decode(Int.self, forKey: .layerCount)
        attentionHeadCount = try c.decode(Int.self, forKey: .attentionHeadCount)
        keyValueHeadCount = try c.decodeIfPresent(Int.self, forKey: .keyValueHeadCount) ?? attentionHeadCount
        vocabularySize = try c.decode(Int.self, forKey: .vocabularySize)
        rmsNormEpsilon = try c.decodeIfPresent(Float.self, forKey: .rmsNormEpsilon) ?? 1e-6
        ropeTheta = try c.decodeIfPresent(Float.self, forKey: .ropeTheta) ?? 10_000
        maxPositionEmbeddings = try c.decodeIfPresent(Int.self, forKey: .maxPositionEmbeddings) ?? 2048
        tieWordEmbeddings = try c.decodeIfPresent(Bool.self, forKey: .tieWordEmbeddings) ?? false
        try validate()
    }

    /// Checks every constraint the engine relies on; throws naming the first bad field.
    public func validate() throws {
        func positive(_ value: Int, _ key: CodingKeys) throws {
            if value <= 0 { throw LlamaConfigError(field: key.rawValue, problem: "must be positive, got \(value)") }
        }
        try positive(hiddenSize, .hiddenSize)
        try positive(intermediateSize, .intermediateSize)
        try positive(layerCount, .layerCount)
        try positive(attentionHeadCount, .attentionHeadCount)
        try positive(keyValueHeadCount, .keyValueHeadCount)
        try positive(vocabularySize, .vocabularySize)
        try positive(maxPositionEmbeddings, .maxPositionEmbeddings)
        if hiddenSize % attentionHeadCount != 0 {
            throw LlamaConfigError(field: CodingKeys.attentionHeadCount.rawValue,
                                   problem: "\(attentionHeadCount) does not divide hidden_size \(hiddenSize)")
        }
        if attentionHeadCount % keyValueHeadCount != 0 {
            throw LlamaConfigError(field: CodingKeys.keyValueHeadCount.rawValue,
                                   problem: "\(keyValueHeadCount) does not divide num_attention_heads \(attentionHeadCount)")
        }
        if headSize % 2 != 0 {
            throw LlamaConfigError(field: CodingKeys.attentionHeadCount.rawValue,
                                   problem: "head size \(headSize) must be even for rotary embedding")
        }
        if !(rmsNormEpsilon > 0) || !rmsNormEpsilon.isFinite {
            throw LlamaConfigError(field: CodingKeys.rmsNormEpsilon.rawValue, problem: "must be a positive finite number, got \(rmsNormEpsilon)")
        }
        if !(ropeTheta > 1) || !ropeTheta.isFinite {
            throw LlamaConfigError(field: CodingKeys.ropeTheta.rawValue, problem: "must be a finite number above 1, got \(ropeTheta)")
        }
        if vocabularySize > Int(Int32.max) {
            throw LlamaConfigError(field: CodingKeys.vocabularySize.rawValue, problem: "\(vocabularySize) does not fit Int32 token ids")
        }
        // The parameter layout adds up every size in Int: counted in Double first, so that a
        // config of absurd sizes is refused here rather than trapping on an overflow there.
        let width = Double(hiddenSize), perLayer = width * (2 + 4 * width + 3 * Double(intermediateSize))  // from above
        let parameters = 2 * Double(vocabularySize) * width + Double(layerCount) * perLayer + width
        if parameters > 0x1p53 {
            throw LlamaConfigError(field: CodingKeys.hiddenSize.rawValue,
                                   problem: "and the other sizes make \(String(format: "%.1e", parameters)) parameters, more than 2^53")
        }
    }

    // MARK: derived values

    /// Size of one attention head HS = C / NH.
    public var headSize: Int { hiddenSize / attentionHeadCount }
    /// Number of query heads sharing one key/value head (NH / KVH).
    public var queriesPerKeyValueHead: Int { attentionHeadCount / keyValueHeadCount }
    /// Width of the query projection (NH·HS).
    public var queryWidth: Int { attentionHeadCount * headSize }
    /// Width of the key (and the value) projection (KVH·HS).
    public var keyValueWidth: Int { keyValueHeadCount * headSize }
    /// Width of the fused q|k|v activation (NH·HS + 2·KVH·HS).
    public var qkvWidth: Int { queryWidth + 2 * keyValueWidth }

    /// Number of parameters of one transformer block.
    public var parametersPerLayer: Int {
        2 * hiddenSize                              // two RMSNorm weights
        + qkvWidth * hiddenSize                     // q, k, v projections
        + hiddenSize * queryWidth                   // o projection
        + 3 * intermediateSize * hiddenSize         // gate, up, down
    }

    /// Total number of parameters (the tied head counted once).
    public var parameterCount: Int {
        vocabularySize * hiddenSize * (tieWordEmbeddings ? 1 : 2)
        + layerCount * parametersPerLayer + hiddenSize
    }

    /// Parameters that take part in matrix products per token (everything but
    /// norms; the embedding counted once as the head's matrix).
    public var matmulParameterCount: Int {
        vocabularySize * hiddenSize
        + layerCount * (qkvWidth * hiddenSize + hiddenSize * queryWidth + 3 * intermediateSize * hiddenSize)
    }

    /// Forward FLOPs per token at a given context length: 2 per matmul weight plus
    /// the attention scores and weighted sum (2·2·T·HS per head per layer, full
    /// square counted as dense kernels compute it).
    public func forwardFlopsPerToken(sequenceLength: Int) -> Double {
        2 * Double(matmulParameterCount) + 4 * Double(layerCount) * Double(queryWidth) * Double(sequenceLength)
    }

    /// Training FLOPs per token (forward + backward, PaLM convention):
    /// 6·N plus 12·L·(NH·HS)·T for attention.
    public func flopsPerToken(sequenceLength: Int) -> Double {
        6 * Double(matmulParameterCount) + 12 * Double(layerCount) * Double(queryWidth) * Double(sequenceLength)
    }
}

/// A configuration field that the engine cannot run with.
public struct LlamaConfigError: Error, CustomStringConvertible, Equatable {
    /// The Hugging Face key of the offending field.
    public var field: String
    /// What is wrong with it.
    public var problem: String
    public var description: String { "invalid Llama config: \(field) \(problem)" }
}

extension LlamaConfig {
    /// The student used by the benchmark and the project's default: width 256,
    /// FFN 704, 6 layers, 4 heads / 2 KV heads, vocabulary 49,152, tied.
    public static var referenceStudent: LlamaConfig {
        try! LlamaConfig(hiddenSize: 256, intermediateSize: 704, layerCount: 6,
                         attentionHeadCount: 4, keyValueHeadCount: 2, vocabularySize: 49_152,
                         rmsNormEpsilon: 1e-5, ropeTheta: 100_000, maxPositionEmbeddings: 2048,
                         tieWordEmbeddings: true)
    }

    /// SmolLM2-135M's shape (the teacher): width 576, FFN 1536, 30 layers, 9/3 heads.
    public static var smolLM2_135M: LlamaConfig {
        try! LlamaConfig(hiddenSize: 576, intermediateSize: 1536, layerCount: 30,
                         attentionHeadCount: 9, keyValueHeadCount: 3, vocabularySize: 49_152,
                         rmsNormEpsilon: 1e-5, ropeTheta: 100_000, maxPositionEmbeddings: 8192,
                         tieWordEmbeddings: true)
    }
}
