// SwiGLU gate of the MLP: h = silu(gate) · up, silu(g) = g · σ(g).
//
// Shapes: N = rows (B·T), F = intermediate size.
//   gateUp (N, 2F): gate in columns [0, F), up in [F, 2F) (one fused sgemm)
//   out    (N, F)

/// out = silu(gate) · up and its backward.
public enum SwiGLU {
    public static func forward(out: UnsafeMutablePointer<Float>, gateUp: UnsafePointer<Float>,
                               rows N: Int, width F: Int) {
        GatedActivation.forward(out: out, gateUp: gateUp, rows: N, width: F,
                                vector: { g in g * (1 / (1 + VectorMath.exp(-g))) },
                                scalar: { g in g * (1 / (1 + VectorMath.exp(-g))) })
    }

    /// dgateUp += ∂L/∂gateUp given dout (N,F).
    public static func backward(dgateUp: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>,
                                gateUp: UnsafePointer<Float>, rows N: Int, width F: Int) {
        for n in 0..<N {
            let g = UnsafeRawPointer(gateUp + n * 2 * F)
            let u = UnsafeRawPointer(gateUp + n * 2 * F + F)
            let dh = UnsafeRawPointer(dout + n * F)
            let dg = UnsafeMutableRawPointer(dgateUp + n * 2 * F)
            let du = UnsafeMutableRawPointer(dgateUp + n * 2 * F + F)
            var i = 0
            while i + 16 <= F {
                let off = i * 4
                let gv = g.loadUnaligned(fromByteOffset: off, as: SIMD16<Float>.self)
                let uv = u.loadUnaligned(fromByteOffset: off, as: SIMD16<Float>.self)
                let d = dh.loadUnaligned(fromByteOffset: off, as: SIMD16<Float>.self)
                let sig = 1 / (1 + VectorMath.exp(-gv))
                let silu = gv * sig
                let dsilu = sig * (1 + gv * (1 - sig))
                dg.storeBytes(of: dg.loadUnaligned(fromByteOffset: off, as: SIMD16<Float>.self) + d * uv * dsilu,
                              toByteOffset: off, as: SIMD16<Float>.self)
                du.storeBytes(of: du.loadUnaligned(fromByteOffset: off, as: SIMD16<Float>.self) + d * silu,
                              toByteOffset: off, as: SIMD16<Float>.self)
                i += 16
            }
            let gs = gateUp + n * 2 * F, us = gs + F, ds = dout + n * F
            let dgs = dgateUp + n * 2 * F, dus = dgs + F
            while i < F {
                let sig = 1 / (1 + VectorMath.exp(-gs[i]))
                dgs[i] += ds[i] * us[i] * sig * (1 + gs[i] * (1 - sig))
                dus[i] += ds[i] * gs[i] * sig
                i += 1
            }
        }
    }
}
