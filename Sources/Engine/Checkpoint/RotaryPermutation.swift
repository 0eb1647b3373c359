/// Conversion of q_proj/k_proj rows between the engine's ADJACENT-pair rotary
/// layout and Hugging Face's `rotate_half` layout.
///
/// Within each head of size HS, Hugging Face rotates the pair (i, i + HS/2)
/// where the engine rotates (2i, 2i + 1) with the same frequency i. llama.cpp's
/// converter maps HF → GGUF by reshaping the rows as (heads, 2, HS/2) and
/// swapping the last two axes; so engine row (h, 2i + j) = HF row (h, j·HS/2 + i).
public enum RotaryPermutation {
    /// Engine row index for Hugging Face row `hfRow` of a q/k projection.
    @inline(__always)
    public static func engineRow(forHuggingFaceRow hfRow: Int, headSize HS: Int) -> Int {
        let h = hfRow / HS, r = hfRow % HS, half = HS / 2
        let j = r / half, i = r % half
        return h * HS + 2 * i + j
    }

    /// Copies an engine-layout matrix (heads·HS, columns) to Hugging Face layout.
    public static func engineToHuggingFace(_ source: UnsafePointer<Float>, _ destination: UnsafeMutablePointer<Float>,
                                           rows: Int, columns: Int, headSize: Int) {
        for hf in 0..<rows {
            (destination + hf * columns).update(from: source + engineRow(forHuggingFaceRow: hf, headSize: headSize) * columns,
                                                count: columns)
        }
    }

    /// Copies a Hugging Face-layout matrix to engine layout.
    public static func huggingFaceToEngine(_ source: UnsafePointer<Float>, _ destination: UnsafeMutablePointer<Float>,
                                           rows: Int, columns: Int, headSize: Int) {
        for hf in 0..<rows {
            (destination + engineRow(forHuggingFaceRow: hf, headSize: headSize) * columns).update(from: source + hf * columns,
                                                                                                  count: columns)
        }
    }

    /// Whether a parameter name is a q or k projection (the rows that need the permutation).
    public static func applies(to name: String) -> Bool {
        name.hasSuffix("self_attn.q_proj.weight") || name.hasSuffix("self_attn.k_proj.weight")
    }
}
