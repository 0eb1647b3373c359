// One pre-norm Llama block, forward and backward, over pointers into the flat
// parameter, gradient and activation buffers.
//
// Shapes: B = batch, T = sequence, N = B·T, C = width, F = FFN width,
// NH/KVH = query/key-value heads, HS = head size, QW = NH·HS, QKV = QW + 2·KVH·HS.
//
//   x ─ RMSNorm ─ qkv proj ─ RoPE(q,k) ─ attention ─ o proj ─(+x)─ residual2
//   residual2 ─ RMSNorm ─ gate|up proj ─ SwiGLU ─ down proj ─(+residual2)─ output

/// Buffers the backward pass of a block needs besides the saved activations.
public struct BlockGradientScratch {
    public var normGradient: UnsafeMutablePointer<Float>       // (N, C)
    public var qkvGradient: UnsafeMutablePointer<Float>        // (N, QKV)
    public var scoresGradient: UnsafeMutablePointer<Float>     // (T, T)
    public var attentionGradient: UnsafeMutablePointer<Float>  // (N, QW)
    public var gateUpGradient: UnsafeMutablePointer<Float>     // (N, 2F)
    public var swigluGradient: UnsafeMutablePointer<Float>     // (N, F)
}

/// Forward and backward of one transformer block.
public enum TransformerBlock {
    /// Runs block `p` on `input` (N,C), writing the activations at `a` (its
    /// `output` may alias `input`). `projection` is (N,C) scratch.
    public static func forward(config: LlamaConfig, rope: RotaryTable, batch B: Int, sequence T: Int,
                               parameters w: UnsafePointer<Float>, offsets p: LayerParameterOffsets,
                               activations base: UnsafeMutablePointer<Float>, slots a: LayerActivationOffsets,
                               input: UnsafePointer<Float>, projection: UnsafeMutablePointer<Float>,
                               keepProbabilities: Bool = true) {
        let N = B * T, C = config.hiddenSize, F = config.intermediateSize
        let QKV = config.qkvWidth, QW = config.queryWidth
        let eps = config.rmsNormEpsilon
        RMSNorm.forward(out: base + a.norm1, rstd: base + a.rstd1, inp: input, weight: w + p.inputNorm,
                        rows: N, width: C, epsilon: eps)                                       // (N,C)
        Matmul.forward(out: base + a.qkv, inp: base + a.norm1, weight: w + p.qkv,
                       rows: N, inputWidth: C, outputWidth: QKV)                              // (N,QKV)
        RotaryEmbedding.forward(base + a.qkv, table: rope, batch: B, sequence: T,
                                heads: config.attentionHeadCount + config.keyValueHeadCount, rowStride: QKV)
        Attention.forward(out: base + a.attention, probs: base + a.probs, qkv: base + a.qkv,
                          shape: attentionShape(config, B, T), keepProbabilities: keepProbabilities) // (N,QW)
        Matmul.forward(out: projection, inp: base + a.attention, weight: w + p.output,
                       rows: N, inputWidth: QW, outputWidth: C)                               // (N,C)
        Residual.forward(out: base + a.residual2, a: input, b: projection, count: N * C)      // (N,C)
        RMSNorm.forward(out: base + a.norm2, rstd: base + a.rstd2, inp: base + a.residual2,
                        weight: w + p.postNorm, rows: N, width: C, epsilon: eps)              // (N,C)
        Matmul.forward(out: base + a.gateUp, inp: base + a.norm2, weight: w + p.gateUp,
                       rows: N, inputWidth: C, outputWidth: 2 * F)                            // (N,2F)
        SwiGLU.forward(out: base + a.swiglu, gateUp: base + a.gateUp, rows: N, width: F)      // (N,F)
        Matmul.forward(out: projection, inp: base + a.swiglu, weight: w + p.down,
                       rows: N, inputWidth: F, outputWidth: C)                                // (N,C)
        Residual.forward(out: base + a.output, a: base + a.residual2, b: projection, count: N * C)
    }

    /// On entry `residualGradient` (N,C) holds ∂L/∂output; on exit ∂L/∂input.
    /// Parameter gradients accumulate at `g` (same offsets as the parameters).
    public static func backward(config: LlamaConfig, rope: RotaryTable, batch B: Int, sequence T: Int,
                                parameters w: UnsafePointer<Float>, gradients g: UnsafeMutablePointer<Float>,
                                offsets p: LayerParameterOffsets,
                                activations base: UnsafePointer<Float>, slots a: LayerActivationOffsets,
                                input: UnsafePointer<Float>, residualGradient dres: UnsafeMutablePointer<Float>,
                                scratch s: BlockGradientScratch) {
        let N = B * T, C = config.hiddenSize, F = config.intermediateSize
        let QKV = config.qkvWidth, QW = config.queryWidth
        // MLP branch: the residual passes dres through unchanged.
        s.swigluGradient.update(repeating: 0, count: N * F)
        Matmul.backward(dinp: s.swigluGradient, dweight: g + p.down, dout: dres, inp: base + a.swiglu,
                        weight: w + p.down, rows: N, inputWidth: F, outputWidth: C)
        s.gateUpGradient.update(repeating: 0, count: N * 2 * F)
        SwiGLU.backward(dgateUp: s.gateUpGradient, dout: s.swigluGradient, gateUp: base + a.gateUp, rows: N, width: F)
        s.normGradient.update(repeating: 0, count: N * C)
        Matmul.backward(dinp: s.normGradient, dweight: g + p.gateUp, dout: s.gateUpGradient, inp: base + a.norm2,
                        weight: w + p.gateUp, rows: N, inputWidth: C, outputWidth: 2 * F)
        RMSNorm.backward(dinp: dres, dweight: g + p.postNorm, dout: s.normGradient, inp: base + a.residual2,
                         weight: w + p.postNorm, rstd: base + a.rstd2, rows: N, width: C)
        // Attention branch: dres now holds ∂L/∂residual2.
        s.attentionGradient.update(repeating: 0, count: N * QW)
        Matmul.backward(dinp: s.attentionGradient, dweight: g + p.output, dout: dres, inp: base + a.attention,
                        weight: w + p.output, rows: N, inputWidth: QW, outputWidth: C)
        s.qkvGradient.update(repeating: 0, count: N * QKV)
        Attention.backward(dqkv: s.qkvGradient, dout: s.attentionGradient, qkv: base + a.qkv, probs: base + a.probs,
                           scratch: s.scoresGradient, shape: attentionShape(config, B, T))
        RotaryEmbedding.backward(s.qkvGradient, table: rope, batch: B, sequence: T,
                                 heads: config.attentionHeadCount + config.keyValueHeadCount, rowStride: QKV)
        s.normGradient.update(repeating: 0, count: N * C)
        Matmul.backward(dinp: s.normGradient, dweight: g + p.qkv, dout: s.qkvGradient, inp: base + a.norm1,
                        weight: w + p.qkv, rows: N, inputWidth: C, outputWidth: QKV)
        RMSNorm.backward(dinp: dres, dweight: g + p.inputNorm, dout: s.normGradient, inp: input,
                         weight: w + p.inputNorm, rstd: base + a.rstd1, rows: N, width: C)
    }

    static func attentionShape(_ c: LlamaConfig, _ B: Int, _ T: Int) -> Attention.Shape {
        Attention.Shape(batch: B, sequence: T, heads: c.attentionHeadCount,
                        keyValueHeads: c.keyValueHeadCount, headSize: c.headSize)
    }
}
