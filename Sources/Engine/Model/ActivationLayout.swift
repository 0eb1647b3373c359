/// Offsets of one block's activations inside the activation buffer.
public struct LayerActivationOffsets: Sendable {
    public var norm1: Int        // (B,T,C)   RMSNorm(x) before attention
    public var rstd1: Int        // (B,T)
    public var qkv: Int          // (B,T,QKV) q and k after rotary embedding
    public var probs: Int        // (B,NH,T,T)
    public var attention: Int    // (B,T,NH*HS) attention output before o_proj
    public var residual2: Int    // (B,T,C)   x + o_proj(attention)
    public var norm2: Int        // (B,T,C)
    public var rstd2: Int        // (B,T)
    public var gateUp: Int       // (B,T,2F)
    public var swiglu: Int       // (B,T,F)
    public var output: Int       // (B,T,C)   residual2 + down(swiglu): the block's output
}

/// The layout of every activation of a training forward pass, derived from the
/// config and the batch shape: one contiguous Float buffer.
public struct ActivationLayout: Sendable {
    public let batch: Int, sequence: Int
    /// Token embeddings, the input of block 0 (B,T,C).
    public let embedded: Int
    /// Per block.
    public let layers: [LayerActivationOffsets]
    /// Final RMSNorm output: the hidden states fed to the LM head (B,T,C).
    public let hidden: Int
    /// Final RMSNorm rstd (B,T).
    public let hiddenRstd: Int
    /// Total Floats.
    public let count: Int

    /// `layerSlots` overrides the number of block slots and `keepProbabilities`
    /// false sizes `probs` for one (T,T) matrix (inference keeps one slot).
    public init(config: LlamaConfig, batch B: Int, sequence T: Int, layerSlots: Int? = nil,
                keepProbabilities: Bool = true) {
        self.batch = B; self.sequence = T
        let N = B * T, C = config.hiddenSize, F = config.intermediateSize
        var cursor = 0
        func take(_ n: Int) -> Int { let o = cursor; cursor += (n + 15) / 16 * 16; return o }
        embedded = take(N * C)
        var layers: [LayerActivationOffsets] = []
        for _ in 0..<(layerSlots ?? config.layerCount) {
            layers.append(LayerActivationOffsets(
                norm1: take(N * C), rstd1: take(N), qkv: take(N * config.qkvWidth),
                probs: take(keepProbabilities ? B * config.attentionHeadCount * T * T : T * T), attention: take(N * config.queryWidth),
                residual2: take(N * C), norm2: take(N * C), rstd2: take(N),
                gateUp: take(N * 2 * F), swiglu: take(N * F), output: take(N * C)))
        }
        self.layers = layers
        hidden = take(N * C)
        hiddenRstd = take(N)
        count = cursor
    }
}
