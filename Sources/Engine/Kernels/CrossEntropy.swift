// Softmax cross-entropy on rows of logits, with an ignore mask.
//
// Shapes: N = rows, V = vocabulary.
//   logits  (N, V), targets (N) Int32 (ignored rows: target < 0 or == ignoreIndex)
//   losses  (N): −log softmax(logits)[target], 0 for ignored rows

/// Per-row softmax cross-entropy and its gradient, overwriting the logits.
public enum CrossEntropy {
    /// Returns −log p(target) for one row (Double) without modifying it.
    public static func forward(logits: UnsafePointer<Float>, target: Int32, vocabularySize V: Int) -> Double {
        VectorMath.logSumExp(logits, V) - Double(logits[Int(target)])
    }

    /// Overwrites one row of logits with `scale · (softmax − onehot(target))`
    /// (the gradient of `scale · loss`) and returns the unscaled loss of the row.
    public static func forwardBackwardInPlace(logits: UnsafeMutablePointer<Float>, target: Int32,
                                              vocabularySize V: Int, scale: Float) -> Double {
        let t = Int(target)
        let m = VectorMath.maximum(logits, V)
        let xt = logits[t]
        let sum = VectorMath.expShiftedInPlace(logits, V, shift: m)
        let loss = Double(m) + _log(sum) - Double(xt)
        VectorMath.scale(logits, V, by: Float(Double(scale) / sum))
        logits[t] -= scale
        return loss
    }
}
