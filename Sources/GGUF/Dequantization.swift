// Dequantization kernels: ggml quantization blocks → Float32.
//
// Legend:
//   QK   values per block (32 for Q8_0, Q4_0, Q4_1, Q5_0, Q5_1; the K-quants are in
//        KQuantDequantization.swift)
//   d    block scale (fp16), m block minimum (fp16, Q4_1 and Q5_1 only)
//   qs   quantized values of one block (low 4 bits for Q5_0, Q5_1)
//   qh   the fifth bit of each of the 32 values (Q5_0, Q5_1), bit j of a little-endian uint32
//
// Block layouts (little-endian, packed):
//   Q8_0  d:fp16, qs:int8[32]                value[j] = d * qs[j]
//   Q4_0  d:fp16, qs:uint8[16] (nibbles)      value[j] = d * ((qs[j] & 15) - 8),
//                                              value[j + 16] = d * ((qs[j] >> 4) - 8)   (j < 16)
//   Q4_1  d:fp16, m:fp16, qs:uint8[16]        value[j] = d * (qs[j] & 15) + m,
//                                              value[j + 16] = d * (qs[j] >> 4) + m     (j < 16)
//   Q5_0  d:fp16, qh:uint32, qs:uint8[16]     value[j] = d * (((qs[j] & 15) | bit j of qh << 4) - 16),
//                                              value[j + 16] = d * (((qs[j] >> 4) | bit j+16 of qh << 4) - 16)
//   Q5_1  d:fp16, m:fp16, qh:uint32, qs:uint8[16]
//                                              as Q5_0 without the - 16, times d plus m

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

/// The fp16 value at `byteOffset` (unaligned, little-endian), as Float.
@inline(__always)
func loadHalf(_ pointer: UnsafeRawPointer, _ byteOffset: Int) -> Float {
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

/// The loop of the formats with blocks of 32 values: `body(block, out)` turns the block at
/// `block` (`blockBytes` bytes) into the 32 values at `out`.
@inline(__always)
private func forEachBlock(_ source: UnsafeRawPointer, _ destination: UnsafeMutablePointer<Float>, blocks: Int,
                          blockBytes: Int, _ body: (UnsafeRawPointer, UnsafeMutablePointer<Float>) -> Void) {
    for b in 0..<blocks { body(source + blockBytes * b, destination + 32 * b) }
}

/// Q8_0 → Float32, `blocks` blocks of 32 values (34 bytes each).
func dequantizeQ8_0(_ source: UnsafeRawPointer, _ destination: UnsafeMutablePointer<Float>, blocks: Int) {
    forEachBlock(source, destination, blocks: blocks, blockBytes: 34) { block, out in
        let d = loadHalf(block, 0)
        let qs = (block + 2).assumingMemoryBound(to: Int8.self)
        for j in 0..<32 { out[j] = d * Float(qs[j]) }
    }
}

/// Q4_0 → Float32, `blocks` blocks of 32 values (18 bytes each).
func dequantizeQ4_0(_ source: UnsafeRawPointer, _ destination: UnsafeMutablePointer<Float>, blocks: Int) {
    forEachBlock(source, destination, blocks: blocks, blockBytes: 18) { block, out in
        let d = loadHalf(block, 0)
        let qs = (block + 2).assumingMemoryBound(to: UInt8.self)
        for j in 0..<16 {
            out[j] = d * Float(Int32(qs[j] & 0x0F) - 8)
            out[j + 16] = d * Float(Int32(qs[j] >> 4) - 8)
        }
    }
}

/// Q4_1 → Float32, `blocks` blocks of 32 values (20 bytes each).
func dequantizeQ4_1(_ source: UnsafeRawPointer, _ destination: UnsafeMutablePointer<Float>, blocks: Int) {
    forEachBlock(source, destination, blocks: blocks, blockBytes: 20) { block, out in
        let d = loadHalf(block, 0)
        let m = loadHalf(block, 2)
        let qs = (block + 4).assumingMemoryBound(to: UInt8.self)
        for j in 0..<16 {
            out[j] = d * Float(qs[j] & 0x0F) + m
            out[j + 16] = d * Float(qs[j] >> 4) + m
        }
    }
}

/// Values j and j + 16 of a Q5_0 or Q5_1 block: the low and high nibbles of `qs[j]`, with
/// bits j and j + 16 of `qh` as their fifth bits.
@inline(__always)
private func fiveBitPair(_ qs: UnsafePointer<UInt8>, _ qh: UInt32, _ j: Int) -> (low: UInt32, high: UInt32) {
    let low = UInt32(qs[j] & 0x0F) | (((qh &>> UInt32(j)) &<< 4) & 0x10)
    let high = UInt32(qs[j] >> 4) | ((qh &>> UInt32(j + 12)) & 0x10)
    return (low, high)
}

/// Q5_0 → Float32, `blocks` blocks of 32 values (22 bytes each).
func dequantizeQ5_0(_ source: UnsafeRawPointer, _ destination: UnsafeMutablePointer<Float>, blocks: Int) {
    forEachBlock(source, destination, blocks: blocks, blockBytes: 22) { block, out in
        let d = loadHalf(block, 0)
        let qh = UInt32(littleEndian: block.loadUnaligned(fromByteOffset: 2, as: UInt32.self))
        let qs = (block + 6).assumingMemoryBound(to: UInt8.self)
        for j in 0..<16 {
            let (low, high) = fiveBitPair(qs, qh, j)
            out[j] = d * Float(Int32(low) - 16)
            out[j + 16] = d * Float(Int32(high) - 16)
        }
    }
}

/// Q5_1 → Float32, `blocks` blocks of 32 values (24 bytes each).
func dequantizeQ5_1(_ source: UnsafeRawPointer, _ destination: UnsafeMutablePointer<Float>, blocks: Int) {
    forEachBlock(source, destination, blocks: blocks, blockBytes: 24) { block, out in
        let d = loadHalf(block, 0)
        let m = loadHalf(block, 2)
        let qh = UInt32(littleEndian: block.loadUnaligned(fromByteOffset: 4, as: UInt32.self))
        let qs = (block + 8).assumingMemoryBound(to: UInt8.self)
        for j in 0..<16 {
            let (low, high) = fiveBitPair(qs, qh, j)
            out[j] = d * Float(low) + m
            out[j + 16] = d * Float(high) + m
        }
    }
}
