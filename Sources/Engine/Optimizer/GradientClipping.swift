/// Global-norm gradient clipping over one flat gradient buffer.
public enum GradientClipping {
    /// The L2 norm of all gradients (accumulated in Double).
    public static func globalNorm(_ gradients: UnsafeBufferPointer<Float>) -> Double {
        var total = 0.0
        var i = 0
        let n = gradients.count
        let g = gradients.baseAddress!
        while i < n {
            let end = min(n, i + 4096)
            var s: Float = 0
            for j in i..<end { s += g[j] * g[j] }
            total += Double(s)
            i = end
        }
        return total.squareRoot()
    }

    /// Scales the gradients so their global norm is at most `maxNorm` and returns
    /// the norm BEFORE clipping. A non-finite norm leaves the gradients untouched.
    @discardableResult
    public static func clip(_ gradients: UnsafeMutableBufferPointer<Float>, maxNorm: Double) -> Double {
        let norm = globalNorm(UnsafeBufferPointer(gradients))
        if norm.isFinite, norm > maxNorm, maxNorm > 0 {
            let s = Float(maxNorm / (norm + 1e-6))
            VectorMath.scale(gradients.baseAddress!, gradients.count, by: s)
        }
        return norm
    }
}
