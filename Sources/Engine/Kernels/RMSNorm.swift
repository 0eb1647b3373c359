// Root-mean-square normalisation with a learned gain (no bias, no mean).
//
// Shapes: N = rows (B·T), C = width.
//   inp (N, C), weight (C), out (N, C), rstd (N) = 1/sqrt(mean(inp²) + eps)

/// out = inp · rstd · weight and its backward.
public enum RMSNorm {
    public static func forward(out: UnsafeMutablePointer<Float>, rstd: UnsafeMutablePointer<Float>,
                               inp: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                               rows N: Int, width C: Int, epsilon: Float) {
        for n in 0..<N {
            let x = inp + n * C
            let y = out + n * C
            var ss: Float = 0
            for i in 0..<C { ss += x[i] * x[i] }
            let r = 1 / (ss / Float(C) + epsilon).squareRoot()
            rstd[n] = r
            for i in 0..<C { y[i] = x[i] * r * weight[i] }
        }
    }

    /// dinp += ∂L/∂inp, dweight += ∂L/∂weight, given dout and the saved rstd.
    public static func backward(dinp: UnsafeMutablePointer<Float>, dweight: UnsafeMutablePointer<Float>,
                                dout: UnsafePointer<Float>, inp: UnsafePointer<Float>,
                                weight: UnsafePointer<Float>, rstd: UnsafePointer<Float>,
                                rows N: Int, width C: Int) {
        for n in 0..<N {
            let x = inp + n * C
            let dy = dout + n * C
            let dx = dinp + n * C
            let r = rstd[n]
            // dx = r·(dy·w) − x·r³·mean(dy·w·x)
            var dot: Float = 0
            for i in 0..<C { dot += dy[i] * weight[i] * x[i] }
            let r2dot = r * r * dot / Float(C)
            for i in 0..<C {
                dx[i] += r * (dy[i] * weight[i] - x[i] * r2dot)
                dweight[i] += dy[i] * x[i] * r
            }
        }
    }
}
