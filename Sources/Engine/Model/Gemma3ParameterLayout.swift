/// Offsets of one Gemma 3 block's tensors in the flat parameter buffer.
///
/// q, k and v are consecutive, so together they form one `[QW + 2·KVW, C]` matrix (one
/// fused sgemm); gate and up likewise form one `[2F, C]` matrix.
public struct Gemma3LayerOffsets: Sendable {
    public var inputNorm: Int              // (C)
    public var qkv: Int                    // (QW + 2·KVW, C): q rows, then k rows, then v rows
    public var queryNorm: Int              // (HS)
    public var keyNorm: Int                // (HS)
    public var output: Int                 // (C, QW)
    public var postAttentionNorm: Int      // (C)
    public var preFeedForwardNorm: Int     // (C)
    public var gateUp: Int                 // (2F, C): gate rows, then up rows
    public var down: Int                   // (C, F)
    public var postFeedForwardNorm: Int    // (C)
}

/// Names (Hugging Face's), shapes and offsets of every Gemma 3 parameter in one flat buffer.
///
/// Every norm tensor holds the gain the RMSNorm multiplies by, which is 1 + the Hugging Face
/// weight: `Gemma3RMSNorm` scales by (1 + w), and llama.cpp's converter stores 1 + w in the
/// GGUF, so the engine's plain RMSNorm runs on the GGUF values unchanged.
public struct Gemma3ParameterLayout: Sendable {
    /// The configuration the layout was derived from.
    public let config: Gemma3Config
    /// Every tensor, in buffer order.
    public let tensors: [ParameterTensor]
    /// Total number of Floats.
    public let count: Int
    /// Offset of the token embedding `(V, C)`, which is also the LM head (tied).
    public let embedding: Int
    /// Per-block offsets.
    public let layers: [Gemma3LayerOffsets]
    /// Offset of the final norm gain `(C)`.
    public let finalNorm: Int
    private let indexByName: [String: Int]

    /// Derives the layout from a configuration.
    public init(config: Gemma3Config) {
        self.config = config
        let C = config.hiddenSize, F = config.intermediateSize, HS = config.headSize
        var tensors: [ParameterTensor] = []
        func add(_ name: String, _ shape: [Int]) -> Int {
            let offset = tensors.last?.end ?? 0
            tensors.append(ParameterTensor(name: name, shape: shape, offset: offset, weightDecay: shape.count > 1))
            return offset
        }
        embedding = add("model.embed_tokens.weight", [config.vocabularySize, C])
        layers = (0..<config.layerCount).map { l in
            let p = "model.layers.\(l)."
            let inputNorm = add(p + "input_layernorm.weight", [C])
            let qkv = add(p + "self_attn.q_proj.weight", [config.queryWidth, C])
            _ = add(p + "self_attn.k_proj.weight", [config.keyValueWidth, C])
            _ = add(p + "self_attn.v_proj.weight", [config.keyValueWidth, C])
            let queryNorm = add(p + "self_attn.q_norm.weight", [HS])
            let keyNorm = add(p + "self_attn.k_norm.weight", [HS])
            let output = add(p + "self_attn.o_proj.weight", [C, config.queryWidth])
            let postAttentionNorm = add(p + "post_attention_layernorm.weight", [C])
            let preFeedForwardNorm = add(p + "pre_feedforward_layernorm.weight", [C])
            let gateUp = add(p + "mlp.gate_proj.weight", [F, C])
            _ = add(p + "mlp.up_proj.weight", [F, C])
            let down = add(p + "mlp.down_proj.weight", [C, F])
            let postFeedForwardNorm = add(p + "post_feedforward_layernorm.weight", [C])
            return Gemma3LayerOffsets(inputNorm: inputNorm, qkv: qkv, queryNorm: queryNorm, keyNorm: keyNorm,
                                      output: output, postAttentionNorm: postAttentionNorm,
                                      preFeedForwardNorm: preFeedForwardNorm, gateUp: gateUp, down: down,
                                      postFeedForwardNorm: postFeedForwardNorm)
        }
        finalNorm = add("model.norm.weight", [C])
        self.tensors = tensors
        count = tensors.last?.end ?? 0
        indexByName = Dictionary(uniqueKeysWithValues: tensors.enumerated().map { ($1.name, $0) })
    }

    /// The tensor with a Hugging Face name; throws naming it when absent.
    public func requireTensor(named name: String) throws -> ParameterTensor {
        guard let index = indexByName[name] else { throw ParameterLookupError(name: name) }
        return tensors[index]
    }
}
