// Dequantization kernels: ggml quantization blocks → Float32.
//
// Legend:
//   QK   values per block (32 for Q8_0, Q4_0, Q4_1)
//   d    block scale (fp16), m block minimum (fp16, Q4_1 only)
//   qs   quantized values of one block
//
// Block layouts (little-endian, packed):
//   Q8_0  d:fp16, qs:int8[32]                value[j] = d * qs[j]
//   Q4_0  d:fp16, qs:uint8[16] (nibbles)      value[j] = d * ((qs[j] & 15) - 8),
//                                              value[j + 16] = d * ((qs[j] >> 4) - 8)   (j < 16)
//   Q4_1  d:fp16, m:fp16, qs:uint8[16]        value[j] = d * (qs[j] & 15) + m,
//                                              value[j + 16] = d * (qs[j] >> 4) + m     (j < 16)

/// Decodes an IEEE 754 half-precision bit pattern.
@inline(__always)
func floatFromHalf(_ bits: UInt16) -> Float {
    Float(Float16(bitPattern: bits))
}

/// Decodes a bfloat16 bit pattern (the upper half of a Float32).
@inline(__always)
func floatFromBFloat16(_ bits: UInt16) -> Float {
    Float(bitPattern: UInt32(bits) << 16)
}

@inline(__always)
private func loadHalf(_ pointer: UnsafeRawPointer, _ byteOffset: Int) -> Float {
    floatFromHalf(UInt16(littleEndian: pointer.loadUnaligned(fromByteOffset: byteOffset, as: UInt16.self)))
}

/// F32 → Float32 (a copy; the source may be unaligned).
func dequantizeF32(_ source: UnsafeRawPointer, _ destination: UnsafeMutablePointer<Float>, count: Int) {
    UnsafeMutableRawPointer(destination).copyMemory(from: source, byteCount: count * 4)
}

/// F16 → Float32.
func dequantizeF16(_ source: UnsafeRawPointer, _ destination: UnsafeMutablePointer<Float>, count: Int) {
    for i in 0..<count { destination[i] = loadHalf(source, 2 * i) }
}

/// BF16 → Float32.
func dequantizeBF16(_ source: UnsafeRawPointer, _ destination: UnsafeMutablePointer<Float>, count: Int) {
    for i in 0..<count {
        destination[i] = floatFromBFloat16(UInt16(littleEndian: source.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)))
    }
}

/// Q8_0 → Float32, `blocks` blocks of 32 values (34 bytes each).
func dequantizeQ8_0(_ source: UnsafeRawPointer, _ destination: UnsafeMutablePointer<Float>, blocks: Int) {
    for b in 0..<blocks {
        let block = source + 34 * b
        let d = loadHalf(block, 0)
        let qs = (block + 2).assumingMemoryBound(to: Int8.self)
        let out = destination + 32 * b
        for j in 0..<32 { out[j] = d * Float(qs[j]) }
    }
}

/// Q4_0 → Float32, `blocks` blocks of 32 values (18 bytes each).
func dequantizeQ4_0(_ source: UnsafeRawPointer, _ destination: UnsafeMutablePointer<Float>, blocks: Int) {
    for b in 0..<blocks {
        let block = source + 18 * b
        let d = loadHalf(block, 0)
        let qs = (block + 2).assumingMemoryBound(to: UInt8.self)
        let out = destination + 32 * b
        for j in 0..<16 {
            out[j] = d * Float(Int32(qs[j] & 0x0F) - 8)
            out[j + 16] = d * Float(Int32(qs[j] >> 4) - 8)
        }
    }
}

/// Q4_1 → Float32, `blocks` blocks of 32 values (20 bytes each).
func dequantizeQ4_1(_ source: UnsafeRawPointer, _ destination: UnsafeMutablePointer<Float>, blocks: Int) {
    for b in 0..<blocks {
        let block = source + 20 * b
        let d = loadHalf(block, 0)
        let m = loadHalf(block, 2)
        let qs = (block + 4).assumingMemoryBound(to: UInt8.self)
        let out = destination + 32 * b
        for j in 0..<16 {
            out[j] = d * Float(qs[j] & 0x0F) + m
            out[j + 16] = d * Float(qs[j] >> 4) + m
        }
    }
}
