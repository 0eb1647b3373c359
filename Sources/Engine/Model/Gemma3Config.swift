import Foundation

/// The shape of a Gemma 3 text decoder (Gemma 3 270M, the second teacher): blocks of
/// RMSNorm → grouped-query attention with RMS-normed q and k heads and rotary position
/// embedding, sliding-window on most layers and global on every `slidingWindowPattern`-th
/// → RMSNorm → residual, then RMSNorm → GeLU-tanh-gated MLP → RMSNorm → residual; the
/// embedding scaled by √C, a final RMSNorm and an LM head tied to the embedding.
///
/// Coding keys are Hugging Face's `config.json` keys (`Gemma3TextConfig`).
public struct Gemma3Config: Codable, Equatable, Sendable {
    /// Whether a layer attends to a sliding window of keys or to every earlier key.
    public enum LayerType: String, Codable, Sendable {
        case slidingAttention = "sliding_attention"
        case fullAttention = "full_attention"
    }

    /// Model width C (`hidden_size`).
    public var hiddenSize: Int
    /// Gated MLP inner width F (`intermediate_size`).
    public var intermediateSize: Int
    /// Number of blocks L (`num_hidden_layers`).
    public var layerCount: Int
    /// Query heads NH (`num_attention_heads`).
    public var attentionHeadCount: Int
    /// Key/value heads KVH (`num_key_value_heads`); divides NH.
    public var keyValueHeadCount: Int
    /// Head width HS (`head_dim`); NH·HS need not equal C.
    public var headSize: Int
    /// Vocabulary size V (`vocab_size`).
    public var vocabularySize: Int
    /// Epsilon inside every RMSNorm's square root (`rms_norm_eps`).
    public var rmsNormEpsilon: Float
    /// RoPE base of the global layers (`rope_theta`).
    public var ropeTheta: Float
    /// RoPE base of the sliding-window layers (`rope_local_base_freq`).
    public var localRopeTheta: Float
    /// Keys a sliding-window query sees, itself included (`sliding_window`).
    public var slidingWindow: Int
    /// One entry per block (`layer_types`).
    public var layerTypes: [LayerType]
    /// Attention scores are scaled by 1/√(this) (`query_pre_attn_scalar`).
    public var queryPreAttentionScalar: Float
    /// Longest sequence (`max_position_embeddings`).
    public var maxPositionEmbeddings: Int

    enum CodingKeys: String, CodingKey {
        case hiddenSize = "hidden_size"
        case intermediateSize = "intermediate_size"
        case layerCount = "num_hidden_layers"
        case attentionHeadCount = "num_attention_heads"
        case keyValueHeadCount = "num_key_value_heads"
        case headSize = "head_dim"
        case vocabularySize = "vocab_size"
        case rmsNormEpsilon = "rms_norm_eps"
        case ropeTheta = "rope_theta"
        case localRopeTheta = "rope_local_base_freq"
        case slidingWindow = "sliding_window"
        case layerTypes = "layer_types"
        case queryPreAttentionScalar = "query_pre_attn_scalar"
        case maxPositionEmbeddings = "max_position_embeddings"
    }

    /// Creates a configuration and validates it.
    public init(hiddenSize: Int, intermediateSize: Int, layerCount: Int, attentionHeadCount: Int,
                keyValueHeadCount: Int, headSize: Int, vocabularySize: Int, rmsNormEpsilon: Float = 1e-6,
                ropeTheta: Float = 1_000_000, localRopeTheta: Float = 10_000, slidingWindow: Int,
                layerTypes: [LayerType], queryPreAttentionScalar: Float, maxPositionEmbeddings: Int) throws {
        self.hiddenSize = hiddenSize
        self.intermediateSize = intermediateSize
        self.layerCount = layerCount
        self.attentionHeadCount = attentionHeadCount
        self.keyValueHeadCount = keyValueHeadCount
        self.headSize = headSize
        self.vocabularySize = vocabularySize
        self.rmsNormEpsilon = rmsNormEpsilon
        self.ropeTheta = ropeTheta
        self.localRopeTheta = localRopeTheta
        self.slidingWindow = slidingWindow
        self.layerTypes = layerTypes
        self.queryPreAttentionScalar = queryPreAttentionScalar
        self.maxPositionEmbeddings = maxPositionEmbeddings
        try validate()
    }

    /// Decodes a Hugging Face `config.json` object; `layer_types` defaults to Gemma 3's
    /// pattern of one global layer in 6, `rope_local_base_freq` to 10000. Validates the result.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let layers = try c.decode(Int.self, forKey: .layerCount)
        try self.init(hiddenSize: try c.decode(Int.self, forKey: .hiddenSize),
                      intermediateSize: try c.decode(Int.self, forKey: .intermediateSize),
                      layerCount: layers,
                      attentionHeadCount: try c.decode(Int.self, forKey: .attentionHeadCount),
                      keyValueHeadCount: try c.decode(Int.self, forKey: .keyValueHeadCount),
                      headSize: try c.decode(Int.self, forKey: .headSize),
                      vocabularySize: try c.decode(Int.self, forKey: .vocabularySize),
                      rmsNormEpsilon: try c.decodeIfPresent(Float.self, forKey: .rmsNormEpsilon) ?? 1e-6,
                      ropeTheta: try c.decodeIfPresent(Float.self, forKey: .ropeTheta) ?? 1_000_000,
                      localRopeTheta: try c.decodeIfPresent(Float.self, forKey: .localRopeTheta) ?? 10_000,
                      slidingWindow: try c.decode(Int.self, forKey: .slidingWindow),
                      layerTypes: try c.decodeIfPresent([LayerType].self, forKey: .layerTypes)
                          ?? Self.layerTypes(count: layers, slidingWindowPattern: 6),
                      queryPreAttentionScalar: try c.decode(Float.self, forKey: .queryPreAttentionScalar),
                      maxPositionEmbeddings: try c.decode(Int.self, forKey: .maxPositionEmbeddings))
    }

    /// Layer types of Gemma 3's fixed pattern: every `pattern`-th layer (1-based) is global.
    public static func layerTypes(count: Int, slidingWindowPattern pattern: Int) -> [LayerType] {
        (0..<count).map { ($0 + 1) % pattern == 0 ? .fullAttention : .slidingAttention }
    }

    /// Query width NH·HS.
    public var queryWidth: Int { attentionHeadCount * headSize }
    /// Key (and value) width KVH·HS.
    public var keyValueWidth: Int { keyValueHeadCount * headSize }
    /// Width of the fused q|k|v projection.
    public var qkvWidth: Int { queryWidth + 2 * keyValueWidth }
    /// The scale of the attention scores, 1/√query_pre_attn_scalar.
    public var attentionScale: Float { 1 / queryPreAttentionScalar.squareRoot() }
    /// The factor the embedding rows are multiplied by, √C in Float32 (as Hugging Face casts it).
    public var embeddingScale: Float { Float(hiddenSize).squareRoot() }

    /// Throws naming the first field the engine cannot run with.
    public func validate() throws {
        func fail(_ field: CodingKeys, _ problem: String) -> Gemma3ConfigError {
            Gemma3ConfigError(field: field.rawValue, problem: problem)
        }
        let positive: [(CodingKeys, Int)] = [(.hiddenSize, hiddenSize), (.intermediateSize, intermediateSize),
                                             (.layerCount, layerCount), (.attentionHeadCount, attentionHeadCount),
                                             (.keyValueHeadCount, keyValueHeadCount), (.headSize, headSize),
                                             (.vocabularySize, vocabularySize), (.slidingWindow, slidingWindow),
                                             (.maxPositionEmbeddings, maxPositionEmbeddings)]
        for (field, value) in positive where value <= 0 { throw fail(field, "must be positive, is \(value)") }
        guard attentionHeadCount % keyValueHeadCount == 0 else {
            throw fail(.keyValueHeadCount, "(\(keyValueHeadCount)) must divide num_attention_heads (\(attentionHeadCount))")
        }
        guard headSize % 2 == 0 else { throw fail(.headSize, "must be even for rotary embedding, is \(headSize)") }
        guard layerTypes.count == layerCount else {
            throw fail(.layerTypes, "has \(layerTypes.count) entries for \(layerCount) layers")
        }
        guard queryPreAttentionScalar > 0 else { throw fail(.queryPreAttentionScalar, "must be positive") }
    }

    /// Parameters that take part in matrix products per token (the tied head counted once).
    public var matmulParameterCount: Int {
        vocabularySize * hiddenSize
        + layerCount * (qkvWidth * hiddenSize + hiddenSize * queryWidth + 3 * intermediateSize * hiddenSize)
    }

    /// Forward FLOPs per token at a context length, in LlamaConfig's convention: 2 per matmul
    /// weight plus 2·2·T·HS per query head per layer for the scores and the weighted sum
    /// (a sliding-window layer counts min(T, window) keys).
    public func forwardFlopsPerToken(sequenceLength T: Int) -> Double {
        let keys = layerTypes.reduce(0) { $0 + ($1 == .slidingAttention ? min(T, slidingWindow) : T) }
        return 2 * Double(matmulParameterCount) + 4 * Double(queryWidth * keys)
    }
}

/// A configuration field that the Gemma 3 engine cannot run with.
public struct Gemma3ConfigError: Error, CustomStringConvertible, Equatable {
    /// The Hugging Face key of the offending field.
    public var field: String
    /// What is wrong with it.
    public var problem: String
    public var description: String { "invalid Gemma 3 config: \(field) \(problem)" }
}
