// The row loop of a gated MLP activation, out = act(gate) · up, shared by SwiGLU (act = silu)
// and GeluTanhGate (act = gelu_tanh): 16 lanes at a time, then the tail one by one.
//
// Shapes: N = rows (B·T), F = intermediate size.
//   gateUp (N, 2F): gate in columns [0, F), up in [F, 2F) (one fused sgemm)
//   out    (N, F)

enum GatedActivation {
    /// out = act(gate) · up, `vector` and `scalar` computing act(g) the same way.
    @inline(__always)
    static func forward(out: UnsafeMutablePointer<Float>, gateUp: UnsafePointer<Float>, rows N: Int, width F: Int,
                        vector: (SIMD16<Float>) -> SIMD16<Float>, scalar: (Float) -> Float) {
        for n in 0..<N {
            let g = UnsafeRawPointer(gateUp + n * 2 * F)
            let u = UnsafeRawPointer(gateUp + n * 2 * F + F)
            let h = UnsafeMutableRawPointer(out + n * F)
            var i = 0
            while i + 16 <= F {
                let gv = g.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self)
                let uv = u.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self)
                h.storeBytes(of: vector(gv) * uv, toByteOffset: i * 4, as: SIMD16<Float>.self)
                i += 16
            }
            let gs = gateUp + n * 2 * F, us = gs + F, hs = out + n * F
            while i < F {
                hs[i] = scalar(gs[i]) * us[i]
                i += 1
            }
        }
    }
}
