// Rotary position embedding, ROTATE-HALF convention (Hugging Face's rotate_half,
// llama.cpp's NEOX mode; Gemma's GGUF keeps q/k in this order): within each head the
// pairs (x[i], x[i+HS/2]) are rotated by the angle pos · θ^(-2i/HS).
// The Llama path uses the adjacent-pair convention instead; both are RotaryEmbedding.apply.
//
// Shapes: B = batch, T = sequence, HS = head size, H = heads rotated per row.
//   x     (B, T, rowStride): the first H·HS columns of each row are rotated in place
//   table cos/sin (maxT, HS/2)

/// In-place rotate-half rotation of query/key heads (forward only).
public enum HalfRotaryEmbedding {
    public static func forward(_ x: UnsafeMutablePointer<Float>, table: RotaryTable,
                               batch B: Int, sequence T: Int, heads: Int, rowStride: Int) {
        RotaryEmbedding.apply(x, table: table, batch: B, sequence: T, heads: heads, rowStride: rowStride,
                              pairing: .rotateHalf, sign: 1)
    }
}
