// Grouped-query causal self-attention on already-rotated q and k.
//
// Shapes: B = batch, T = sequence, NH = query heads, KVH = key/value heads,
// HS = head size, QKV = NH·HS + 2·KVH·HS.
//   qkv   (B, T, QKV): per row [q heads | k heads | v heads]
//   probs (B, NH, T, T): softmax(q·kᵀ/√HS) with the causal mask (upper triangle 0)
//   out   (B, T, NH·HS)
// Query head h reads key/value head h / (NH/KVH) (Hugging Face repeat_kv).
// Each (b, h) is two sgemms forward and four backward; the softmax is vectorised.

/// Causal grouped-query attention and its backward.
public enum Attention {
    /// Dimensions of one attention call.
    public struct Shape: Sendable {
        public var batch: Int, sequence: Int, heads: Int, keyValueHeads: Int, headSize: Int
        public init(batch: Int, sequence: Int, heads: Int, keyValueHeads: Int, headSize: Int) {
            self.batch = batch; self.sequence = sequence; self.heads = heads
            self.keyValueHeads = keyValueHeads; self.headSize = headSize
        }
        var qkvWidth: Int { (heads + 2 * keyValueHeads) * headSize }
        var outWidth: Int { heads * headSize }
        func queryOffset(_ h: Int) -> Int { h * headSize }
        func keyOffset(_ h: Int) -> Int { (heads + h / (heads / keyValueHeads)) * headSize }
        func valueOffset(_ h: Int) -> Int { (heads + keyValueHeads + h / (heads / keyValueHeads)) * headSize }
    }

    /// With `keepProbabilities` false (inference) `probs` holds only T·T Floats,
    /// reused for every (b, h).
    public static func forward(out: UnsafeMutablePointer<Float>, probs: UnsafeMutablePointer<Float>,
                               qkv: UnsafePointer<Float>, shape: Shape, keepProbabilities: Bool = true) {
        let T = shape.sequence, HS = shape.headSize, QKV = shape.qkvWidth, OW = shape.outWidth
        let scale = 1 / (Float(HS)).squareRoot()
        for b in 0..<shape.batch {
            let base = qkv + b * T * QKV
            for h in 0..<shape.heads {
                let p = keepProbabilities ? probs + (b * shape.heads + h) * T * T : probs
                Matmul.sgemm(transposeA: false, transposeB: true, m: T, n: T, k: HS, alpha: scale,
                             a: base + shape.queryOffset(h), lda: QKV, b: base + shape.keyOffset(h), ldb: QKV,
                             beta: 0, c: p, ldc: T)
                for t in 0..<T {
                    let row = p + t * T
                    VectorMath.softmaxInPlace(row, t + 1)
                    (row + t + 1).update(repeating: 0, count: T - t - 1)
                }
                Matmul.sgemm(transposeA: false, transposeB: false, m: T, n: HS, k: T, alpha: 1,
                             a: p, lda: T, b: base + shape.valueOffset(h), ldb: QKV,
                             beta: 0, c: out + b * T * OW + h * HS, ldc: OW)
            }
        }
    }

    /// dqkv += ∂L/∂qkv given dout (B,T,NH·HS); `scratch` holds T·T Floats.
    public static func backward(dqkv: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>,
                                qkv: UnsafePointer<Float>, probs: UnsafePointer<Float>,
                                scratch: UnsafeMutablePointer<Float>, shape: Shape) {
        let T = shape.sequence, HS = shape.headSize, QKV = shape.qkvWidth, OW = shape.outWidth
        let scale = 1 / (Float(HS)).squareRoot()
        let dp = scratch  // (T, T)
        for b in 0..<shape.batch {
            let base = qkv + b * T * QKV
            let dbase = dqkv + b * T * QKV
            for h in 0..<shape.heads {
                let p = probs + (b * shape.heads + h) * T * T
                let dO = dout + b * T * OW + h * HS
                // dP = dO · Vᵀ ; dV += Pᵀ · dO
                Matmul.sgemm(transposeA: false, transposeB: true, m: T, n: T, k: HS, alpha: 1,
                             a: dO, lda: OW, b: base + shape.valueOffset(h), ldb: QKV, beta: 0, c: dp, ldc: T)
                Matmul.sgemm(transposeA: true, transposeB: false, m: T, n: HS, k: T, alpha: 1,
                             a: p, lda: T, b: dO, ldb: OW, beta: 1, c: dbase + shape.valueOffset(h), ldc: QKV)
                // dS = P ⊙ (dP − rowsum(P ⊙ dP)), causal part only
                for t in 0..<T {
                    let pr = p + t * T, dr = dp + t * T
                    var dot: Float = 0
                    for j in 0...t { dot += pr[j] * dr[j] }
                    for j in 0...t { dr[j] = pr[j] * (dr[j] - dot) }
                    (dr + t + 1).update(repeating: 0, count: T - t - 1)
                }
                // dQ += scale · dS · K ; dK += scale · dSᵀ · Q
                Matmul.sgemm(transposeA: false, transposeB: false, m: T, n: HS, k: T, alpha: scale,
                             a: dp, lda: T, b: base + shape.keyOffset(h), ldb: QKV,
                             beta: 1, c: dbase + shape.queryOffset(h), ldc: QKV)
                Matmul.sgemm(transposeA: true, transposeB: false, m: T, n: HS, k: T, alpha: scale,
                             a: dp, lda: T, b: base + shape.queryOffset(h), ldb: QKV,
                             beta: 1, c: dbase + shape.keyOffset(h), ldc: QKV)
            }
        }
    }
}
