// Token embedding lookup.
//
// Shapes: N = B·T tokens, C = width, V = vocabulary.
//   tokens (N) Int32, weight (V, C), out (N, C)

/// out[n] = weight[tokens[n]] and its backward.
public enum Embedding {
    /// Copies the embedding rows of the tokens. Tokens must lie in 0..<V.
    public static func forward(out: UnsafeMutablePointer<Float>, tokens: UnsafePointer<Int32>,
                               weight: UnsafePointer<Float>, count N: Int, width C: Int) {
        for n in 0..<N {
            (out + n * C).update(from: weight + Int(tokens[n]) * C, count: C)
        }
    }

    /// dweight[tokens[n]] += dout[n].
    public static func backward(dweight: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>,
                                tokens: UnsafePointer<Int32>, count N: Int, width C: Int) {
        for n in 0..<N {
            let dw = dweight + Int(tokens[n]) * C
            let d = dout + n * C
            for i in 0..<C { dw[i] += d[i] }
        }
    }
}
