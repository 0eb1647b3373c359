// Residual connection.
//
// Shapes: n = element count (B·T·C).
//   a (n), b (n), out (n) = a + b
//
// The model does not call `backward`: the gradient of a residual add is the
// identity, so LlamaModel lets both branches accumulate into one residual
// gradient buffer (B,T,C) in place, which is exactly `backward` with
// da, db and dout aliased.

/// out = a + b and its backward.
public enum Residual {
    public static func forward(out: UnsafeMutablePointer<Float>, a: UnsafePointer<Float>,
                               b: UnsafePointer<Float>, count n: Int) {
        for i in 0..<n { out[i] = a[i] + b[i] }
    }

    /// da += dout, db += dout.
    public static func backward(da: UnsafeMutablePointer<Float>, db: UnsafeMutablePointer<Float>,
                                dout: UnsafePointer<Float>, count n: Int) {
        for i in 0..<n { da[i] += dout[i]; db[i] += dout[i] }
    }
}
