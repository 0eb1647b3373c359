/// The ggml types the tiny test GGUF files store tensors in, with an encoder for each: F32,
/// and the two simplest quantizations (blocks of 32 values along a row), so that loaders are
/// tested on quantized tensors too. The encoders follow ggml's reference quantizers; what
/// the tests rely on is only that the reader decodes the bytes written.
enum TinyQuantization: UInt32 {
    case f32 = 0, q4_0 = 2, q8_0 = 8

    /// `values` (a whole number of 32-value blocks for Q4_0 and Q8_0) as ggml bytes.
    func encode(_ values: [Float]) -> [UInt8] {
        switch self {
        case .f32: return values.flatMap { Self.littleEndian($0.bitPattern) }
        case .q8_0: return Self.blocks(of: values).flatMap(Self.q8_0Block)
        case .q4_0: return Self.blocks(of: values).flatMap(Self.q4_0Block)
        }
    }

    private static func blocks(of values: [Float]) -> [ArraySlice<Float>] {
        precondition(values.count % 32 == 0, "\(values.count) values are not whole blocks of 32")
        return stride(from: 0, to: values.count, by: 32).map { values[$0..<($0 + 32)] }
    }

    /// d = max|x| / 127, q = round(x / d): 2 bytes of fp16 d, then 32 int8.
    private static func q8_0Block(_ block: ArraySlice<Float>) -> [UInt8] {
        let d = block.map(abs).max()! / 127
        let inverse: Float = d == 0 ? 0 : 1 / d
        return littleEndian(Float16(d).bitPattern) + block.map { UInt8(bitPattern: Int8(($0 * inverse).rounded())) }
    }

    /// d = (the value of largest magnitude) / -8, q = clamp(x / d + 8.5, 0...15): fp16 d, then
    /// 16 bytes holding values j (low nibble) and j + 16 (high nibble).
    private static func q4_0Block(_ block: ArraySlice<Float>) -> [UInt8] {
        let extreme = block.max { abs($0) < abs($1) }!
        let d = extreme / -8
        let inverse: Float = d == 0 ? 0 : 1 / d
        let q = block.map { UInt8(min(15, max(0, $0 * inverse + 8.5))) }
        return littleEndian(Float16(d).bitPattern) + (0..<16).map { q[$0] | (q[$0 + 16] << 4) }
    }

    private static func littleEndian<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
        withUnsafeBytes(of: value.littleEndian) { Array($0) }
    }
}
