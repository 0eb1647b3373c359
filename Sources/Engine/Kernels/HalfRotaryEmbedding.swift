// Rotary position embedding, ROTATE-HALF convention (Hugging Face's rotate_half,
// llama.cpp's NEOX mode; Gemma's GGUF keeps q/k in this order): within each head the
// pairs (x[i], x[i+HS/2]) are rotated by the angle pos · θ^(-2i/HS).
// The Llama path uses the adjacent-pair convention instead (RotaryEmbedding.swift).
//
// Shapes: B = batch, T = sequence, HS = head size, H = heads rotated per row.
//   x     (B, T, rowStride): the first H·HS columns of each row are rotated in place
//   table cos/sin (maxT, HS/2)

/// In-place rotate-half rotation of query/key heads (forward only).
public enum HalfRotaryEmbedding {
    public static func forward(_ x: UnsafeMutablePointer<Float>, table: RotaryTable,
                               batch B: Int, sequence T: Int, heads: Int, rowStride: Int) {
        precondition(T <= table.maxPositions, "HalfRotaryEmbedding: sequence \(T) exceeds the table's \(table.maxPositions)")
        let HS = table.headSize, half = HS / 2
        table.cosines.withUnsafeBufferPointer { cosines in
            table.sines.withUnsafeBufferPointer { sines in
                for b in 0..<B {
                    for t in 0..<T {
                        let row = x + (b * T + t) * rowStride
                        let c = cosines.baseAddress! + t * half
                        let s = sines.baseAddress! + t * half
                        for h in 0..<heads {
                            let v = row + h * HS
                            for i in 0..<half {
                                let x0 = v[i], x1 = v[i + half]
                                v[i] = x0 * c[i] - x1 * s[i]
                                v[i + half] = x1 * c[i] + x0 * s[i]
                            }
                        }
                    }
                }
            }
        }
    }
}
