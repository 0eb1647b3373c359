// RMSNorm of every attention head on its own (Gemma 3's QK-norm), in place.
//
// Shapes: N = rows (B·T), H = heads normed per row, HS = head size, S = row stride.
//   x      (N, S): columns [0, H·HS) of each row are H heads of HS, normed in place
//   weight (HS): the gain, shared by the heads

/// x_head = x_head · rstd(x_head) · weight, per head (forward only).
public enum HeadRMSNorm {
    public static func forward(_ x: UnsafeMutablePointer<Float>, weight: UnsafePointer<Float>, rows N: Int,
                               heads H: Int, headSize HS: Int, rowStride S: Int, epsilon: Float) {
        for n in 0..<N {
            for h in 0..<H {
                let v = x + n * S + h * HS
                var ss: Float = 0
                for i in 0..<HS { ss += v[i] * v[i] }
                let r = 1 / (ss / Float(HS) + epsilon).squareRoot()
                for i in 0..<HS { v[i] = v[i] * r * weight[i] }
            }
        }
    }
}
