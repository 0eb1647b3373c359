// Gated MLP activation of Gemma: h = gelu_tanh(gate) · up, with
// gelu_tanh(g) = ½·g·(1 + tanh(√(2/π)·(g + 0.044715·g³))) (PyTorch's approximate="tanh").
// Since ½·(1 + tanh(z)) = σ(2z), this is g · σ(2z), computed as g / (1 + exp(−2z)).
//
// Shapes: N = rows (B·T), F = intermediate size.
//   gateUp (N, 2F): gate in columns [0, F), up in [F, 2F) (one fused sgemm)
//   out    (N, F)

/// out = gelu_tanh(gate) · up (forward only: the Gemma teacher is frozen).
public enum GeluTanhGate {
    public static func forward(out: UnsafeMutablePointer<Float>, gateUp: UnsafePointer<Float>,
                               rows N: Int, width F: Int) {
        let c: Float = 0.797_884_56     // √(2/π)
        let cubic: Float = 0.044_715
        GatedActivation.forward(out: out, gateUp: gateUp, rows: N, width: F,
                                vector: { g in g / (1 + VectorMath.exp(-2 * (c * (g + cubic * g * g * g)))) },
                                scalar: { g in g / (1 + VectorMath.exp(-2 * (c * (g + cubic * g * g * g)))) })
    }
}
