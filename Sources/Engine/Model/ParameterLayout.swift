/// One named tensor inside the flat parameter buffer.
public struct ParameterTensor: Equatable, Sendable {
    /// Hugging Face name, e.g. `model.layers.3.self_attn.q_proj.weight`.
    public var name: String
    /// Shape in Hugging Face order (a linear layer is `[out, in]`, row-major).
    public var shape: [Int]
    /// Offset of the first element in the flat buffer (in Floats).
    public var offset: Int
    /// Whether AdamW applies weight decay (matrices yes; norms no).
    public var weightDecay: Bool
    /// Number of elements.
    public var count: Int { shape.reduce(1, *) }
    /// Offset one past the last element.
    public var end: Int { offset + count }
}

/// Offsets of one block's tensors in the flat parameter buffer.
///
/// q, k and v are consecutive, so together they form one `[(NH+2·KVH)·HS, C]`
/// matrix (one fused sgemm); gate and up likewise form one `[2F, C]` matrix.
public struct LayerParameterOffsets: Sendable {
    public var inputNorm: Int      // (C)
    public var qkv: Int            // (NH*HS + 2*KVH*HS, C): q rows, then k rows, then v rows
    public var output: Int         // (C, NH*HS)
    public var postNorm: Int       // (C)
    public var gateUp: Int         // (2F, C): gate rows, then up rows
    public var down: Int           // (C, F)
}

/// The order, names, shapes and offsets of every parameter, derived from the
/// config. Parameters, gradients and both AdamW moments use this same layout,
/// each as ONE contiguous Float buffer of `count` elements.
public struct ParameterLayout: Sendable {
    /// The configuration the layout was derived from.
    public let config: LlamaConfig
    /// Every tensor, in buffer order.
    public let tensors: [ParameterTensor]
    /// Total number of Floats.
    public let count: Int
    /// Offset of the token embedding `(V, C)`.
    public let embedding: Int
    /// Per-block offsets.
    public let layers: [LayerParameterOffsets]
    /// Offset of the final norm weight `(C)`.
    public let finalNorm: Int
    /// Offset of the LM head matrix `(V, C)`: the embedding when tied.
    public let lmHead: Int
    private let indexByName: [String: Int]

    /// Derives the layout from a configuration.
    public init(config: LlamaConfig) {
        self.config = config
        let C = config.hiddenSize, F = config.intermediateSize, V = config.vocabularySize
        var tensors: [ParameterTensor] = []
        var cursor = 0
        func add(_ name: String, _ shape: [Int], decay: Bool) -> Int {
            let t = ParameterTensor(name: name, shape: shape, offset: cursor, weightDecay: decay)
            tensors.append(t)
            cursor += t.count
            return t.offset
        }
        embedding = add("model.embed_tokens.weight", [V, C], decay: true)
        var layers: [LayerParameterOffsets] = []
        for l in 0..<config.layerCount {
            let p = "model.layers.\(l)."
            let inputNorm = add(p + "input_layernorm.weight", [C], decay: false)
            let qkv = add(p + "self_attn.q_proj.weight", [config.queryWidth, C], decay: true)
            _ = add(p + "self_attn.k_proj.weight", [config.keyValueWidth, C], decay: true)
            _ = add(p + "self_attn.v_proj.weight", [config.keyValueWidth, C], decay: true)
            let output = add(p + "self_attn.o_proj.weight", [C, config.queryWidth], decay: true)
            let postNorm = add(p + "post_attention_layernorm.weight", [C], decay: false)
            let gateUp = add(p + "mlp.gate_proj.weight", [F, C], decay: true)
            _ = add(p + "mlp.up_proj.weight", [F, C], decay: true)
            let down = add(p + "mlp.down_proj.weight", [C, F], decay: true)
            layers.append(LayerParameterOffsets(inputNorm: inputNorm, qkv: qkv, output: output,
                                                postNorm: postNorm, gateUp: gateUp, down: down))
        }
        self.layers = layers
        finalNorm = add("model.norm.weight", [C], decay: false)
        lmHead = config.tieWordEmbeddings ? embedding : add("lm_head.weight", [V, C], decay: true)
        self.tensors = tensors
        self.count = cursor
        var index: [String: Int] = [:]
        for (i, t) in tensors.enumerated() { index[t.name] = i }
        indexByName = index
    }

    /// The tensor with a Hugging Face name, or nil.
    public func tensor(named name: String) -> ParameterTensor? {
        indexByName[name].map { tensors[$0] }
    }

    /// The tensor with a Hugging Face name; throws naming it when absent.
    public func requireTensor(named name: String) throws -> ParameterTensor {
        guard let t = tensor(named: name) else { throw ParameterLookupError(name: name) }
        return t
    }
}

/// A tensor name that the model does not have.
public struct ParameterLookupError: Error, CustomStringConvertible {
    public var name: String
    public var description: String { "the model has no parameter named '\(name)'" }
}
