// Grouped-query causal self-attention with an explicit score scale and an optional
// sliding window (Gemma 3), forward only, on already-rotated q and k.
//
// Shapes: B = batch, T = sequence, NH = query heads, KVH = key/value heads,
// HS = head size, QKV = NH·HS + 2·KVH·HS, W = window.
//   qkv    (B, T, QKV): per row [q heads | k heads | v heads]
//   scores (T, T): scratch, reused for every (b, h)
//   out    (B, T, NH·HS)
// Query t attends to keys j with t − W < j ≤ t (all j ≤ t without a window), with
// softmax(scale · q·kᵀ). Query head h reads key/value head h / (NH/KVH).

/// Sliding-window (or global) causal grouped-query attention.
public enum SlidingWindowAttention {
    public static func forward(out: UnsafeMutablePointer<Float>, scores: UnsafeMutablePointer<Float>,
                               qkv: UnsafePointer<Float>, shape: Attention.Shape, scale: Float, window: Int?) {
        let T = shape.sequence, HS = shape.headSize, QKV = shape.qkvWidth, OW = shape.outWidth
        let W = window ?? T
        for b in 0..<shape.batch {
            let base = qkv + b * T * QKV
            for h in 0..<shape.heads {
                Matmul.sgemm(transposeA: false, transposeB: true, m: T, n: T, k: HS, alpha: scale,
                             a: base + shape.queryOffset(h), lda: QKV, b: base + shape.keyOffset(h), ldb: QKV,
                             beta: 0, c: scores, ldc: T)
                for t in 0..<T {
                    let row = scores + t * T, first = max(0, t - W + 1)
                    row.update(repeating: 0, count: first)
                    VectorMath.softmaxInPlace(row + first, t + 1 - first)
                    (row + t + 1).update(repeating: 0, count: T - t - 1)
                }
                Matmul.sgemm(transposeA: false, transposeB: false, m: T, n: HS, k: T, alpha: 1,
                             a: scores, lda: T, b: base + shape.valueOffset(h), ldb: QKV,
                             beta: 0, c: out + b * T * OW + h * HS, ldc: OW)
            }
        }
    }
}
