// One Gemma 3 block, forward only, over pointers into the flat parameter buffer.
//
// Shapes: B = batch, T = sequence, N = B·T, C = width, F = MLP width, NH/KVH = query/key-value
// heads, HS = head size, QW = NH·HS, QKV = QW + 2·KVH·HS.
//
//   x ─ RMSNorm ─ qkv proj ─ RMSNorm(q), RMSNorm(k) per head ─ RoPE(q,k) ─ attention
//     ─ o proj ─ RMSNorm ─(+x)─ x
//   x ─ RMSNorm ─ gate|up proj ─ gelu_tanh(gate)·up ─ down proj ─ RMSNorm ─(+x)─ x

/// Buffers one block works in (reused by every block of a forward pass).
public struct Gemma3BlockScratch {
    public var normed: UnsafeMutablePointer<Float>      // (N, C)
    public var rstd: UnsafeMutablePointer<Float>        // (N)
    public var qkv: UnsafeMutablePointer<Float>         // (N, QKV)
    public var attention: UnsafeMutablePointer<Float>   // (N, QW)
    public var scores: UnsafeMutablePointer<Float>      // (T, T)
    public var projection: UnsafeMutablePointer<Float>  // (N, C)
    public var gateUp: UnsafeMutablePointer<Float>      // (N, 2F)
    public var gated: UnsafeMutablePointer<Float>       // (N, F)

    /// Floats needed for batches up to N rows and sequences up to T.
    static func count(_ c: Gemma3Config, rows N: Int, sequence T: Int) -> Int {
        N * (2 * c.hiddenSize + 1 + c.qkvWidth + c.queryWidth + 3 * c.intermediateSize) + T * T
    }

    /// Carves the buffers out of `base` (at least `count` Floats).
    init(_ c: Gemma3Config, rows N: Int, sequence T: Int, base: UnsafeMutablePointer<Float>) {
        var p = base
        func take(_ n: Int) -> UnsafeMutablePointer<Float> { defer { p += n }; return p }
        normed = take(N * c.hiddenSize); rstd = take(N); qkv = take(N * c.qkvWidth)
        attention = take(N * c.queryWidth); scores = take(T * T); projection = take(N * c.hiddenSize)
        gateUp = take(N * 2 * c.intermediateSize); gated = take(N * c.intermediateSize)
    }
}

/// Forward of one Gemma 3 block.
public enum Gemma3Block {
    /// Runs block `p` on the residual stream `x` (N,C) in place. `rope` is the table of the
    /// layer's kind (local or global); `window` is nil for a global layer.
    public static func forward(config c: Gemma3Config, rope: RotaryTable, window: Int?, batch B: Int, sequence T: Int,
                               parameters w: UnsafePointer<Float>, offsets p: Gemma3LayerOffsets,
                               residual x: UnsafeMutablePointer<Float>, scratch s: Gemma3BlockScratch) {
        let N = B * T, C = c.hiddenSize, F = c.intermediateSize, QKV = c.qkvWidth, QW = c.queryWidth
        let eps = c.rmsNormEpsilon, NH = c.attentionHeadCount, KVH = c.keyValueHeadCount, HS = c.headSize
        // Attention branch
        RMSNorm.forward(out: s.normed, rstd: s.rstd, inp: x, weight: w + p.inputNorm,
                        rows: N, width: C, epsilon: eps)                                       // (N,C)
        Matmul.forward(out: s.qkv, inp: s.normed, weight: w + p.qkv, rows: N, inputWidth: C, outputWidth: QKV)
        HeadRMSNorm.forward(s.qkv, weight: w + p.queryNorm, rows: N, heads: NH, headSize: HS,
                            rowStride: QKV, epsilon: eps)                                      // q heads
        HeadRMSNorm.forward(s.qkv + QW, weight: w + p.keyNorm, rows: N, heads: KVH, headSize: HS,
                            rowStride: QKV, epsilon: eps)                                      // k heads
        HalfRotaryEmbedding.forward(s.qkv, table: rope, batch: B, sequence: T, heads: NH + KVH, rowStride: QKV)
        let shape = Attention.Shape(batch: B, sequence: T, heads: NH, keyValueHeads: KVH, headSize: HS)
        SlidingWindowAttention.forward(out: s.attention, scores: s.scores, qkv: s.qkv, shape: shape,
                                       scale: c.attentionScale, window: window)               // (N,QW)
        Matmul.forward(out: s.projection, inp: s.attention, weight: w + p.output, rows: N, inputWidth: QW, outputWidth: C)
        RMSNorm.forward(out: s.projection, rstd: s.rstd, inp: s.projection, weight: w + p.postAttentionNorm,
                        rows: N, width: C, epsilon: eps)
        Residual.forward(out: x, a: x, b: s.projection, count: N * C)                         // (N,C)
        // MLP branch
        RMSNorm.forward(out: s.normed, rstd: s.rstd, inp: x, weight: w + p.preFeedForwardNorm,
                        rows: N, width: C, epsilon: eps)
        Matmul.forward(out: s.gateUp, inp: s.normed, weight: w + p.gateUp, rows: N, inputWidth: C, outputWidth: 2 * F)
        GeluTanhGate.forward(out: s.gated, gateUp: s.gateUp, rows: N, width: F)               // (N,F)
        Matmul.forward(out: s.projection, inp: s.gated, weight: w + p.down, rows: N, inputWidth: F, outputWidth: C)
        RMSNorm.forward(out: s.projection, rstd: s.rstd, inp: s.projection, weight: w + p.postFeedForwardNorm,
                        rows: N, width: C, epsilon: eps)
        Residual.forward(out: x, a: x, b: s.projection, count: N * C)
    }
}
