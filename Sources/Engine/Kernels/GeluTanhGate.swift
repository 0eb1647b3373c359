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
        for n in 0..<N {
            let g = UnsafeRawPointer(gateUp + n * 2 * F)
            let u = UnsafeRawPointer(gateUp + n * 2 * F + F)
            let h = UnsafeMutableRawPointer(out + n * F)
            var i = 0
            while i + 16 <= F {
                let gv = g.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self)
                let uv = u.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self)
                let z = c * (gv + cubic * gv * gv * gv)
                h.storeBytes(of: gv / (1 + VectorMath.exp(-2 * z)) * uv, toByteOffset: i * 4, as: SIMD16<Float>.self)
                i += 16
            }
            let gs = gateUp + n * 2 * F, us = gs + F, hs = out + n * F
            while i < F {
                let z = c * (gs[i] + cubic * gs[i] * gs[i] * gs[i])
                hs[i] = gs[i] / (1 + VectorMath.exp(-2 * z)) * us[i]
                i += 1
            }
        }
    }
}
