// K-quant dequantization kernels: ggml super-blocks of QK_K = 256 values → Float32.
//
// Legend:
//   d, dmin   super-block scales (fp16) of the sub-block scales and of the sub-block minimums
//   sc, m     a sub-block's quantized scale and minimum
//   q         a quantized value: low bits in qs / ql, high bits in qh / hmask
//   e         index of a value in its super-block (0..<256); l a byte index
//
// Super-block layouts (little-endian, packed):
//   Q2_K  scales:uint8[16], qs:uint8[64], d:fp16, dmin:fp16                    84 bytes
//         16 sub-blocks of 16; scales[i] = sc | m << 4; value = d·sc · q − dmin·m with
//         q = (qs[32h + l] >> 2s) & 3 for e = 128h + 32s + l.
//   Q3_K  hmask:uint8[32], qs:uint8[64], scales:uint8[12], d:fp16              110 bytes
//         16 sub-blocks of 16 with 6-bit scales stored as sc + 32: the low nibble of sc_i is
//         scales[i] & 15 (i < 8) or scales[i − 8] >> 4, its top 2 bits are
//         (scales[8 + i % 4] >> 2(i / 4)) & 3; value = d·(sc − 32) · (q − 4 + 4·h), q as in
//         Q2_K and h = bit e / 32 of hmask[e % 32].
//   Q4_K  d:fp16, dmin:fp16, scales:uint8[12], qs:uint8[128]                   144 bytes
//         8 sub-blocks of 32 with 6-bit sc and m (scaleAndMinimum); value = d·sc · q − dmin·m;
//         sub-blocks 2k and 2k + 1 take the low and the high nibbles of qs[32k ..< 32k + 32].
//   Q5_K  d:fp16, dmin:fp16, scales:uint8[12], qh:uint8[32], qs:uint8[128]     176 bytes
//         as Q4_K, plus bit k of qh[l] as the fifth bit (16) of value l of sub-block k.
//   Q6_K  ql:uint8[128], qh:uint8[64], scales:int8[16], d:fp16                 210 bytes
//         16 sub-blocks of 16; value = d·scales[e / 16] · (q − 32) with, for e = 128h + 32t + l,
//         q = (ql[64h + 32(t % 2) + l] >> 4(t / 2)) & 15 | ((qh[32h + l] >> 2t) & 3) << 4.
//
// Products are formed in ggml's order (d·sc first, then times q), so the values match ggml
// bit for bit.

/// The 6-bit scale and minimum of sub-block `j` (0..<8) of a Q4_K or Q5_K super-block,
/// packed in 12 bytes: for j < 4 the low 6 bits of bytes j and j + 4; for j ≥ 4 the two
/// nibbles of byte j + 4, topped with the 2 high bits of bytes j − 4 and j.
@inline(__always)
private func scaleAndMinimum(_ j: Int, _ packed: UnsafePointer<UInt8>) -> (scale: Float, minimum: Float) {
    if j < 4 { return (Float(packed[j] & 63), Float(packed[j + 4] & 63)) }
    let scale = (packed[j + 4] & 0x0F) | ((packed[j - 4] >> 6) << 4)
    let minimum = (packed[j + 4] >> 4) | ((packed[j] >> 6) << 4)
    return (Float(scale), Float(minimum))
}

/// The signed 6-bit scale of sub-block `i` (0..<16) of a Q3_K super-block.
@inline(__always)
private func q3KScale(_ i: Int, _ packed: UnsafePointer<UInt8>) -> Float {
    let low = i < 8 ? packed[i] & 0x0F : packed[i - 8] >> 4
    let high = (packed[8 + i % 4] &>> UInt8(2 * (i / 4))) & 3
    return Float(Int32(low | high << 4) - 32)
}

/// Q2_K → Float32, `blocks` super-blocks of 256 values (84 bytes each).
func dequantizeQ2_K(_ source: UnsafeRawPointer, _ destination: UnsafeMutablePointer<Float>, blocks: Int) {
    for b in 0..<blocks {
        let block = source + 84 * b
        let scales = block.assumingMemoryBound(to: UInt8.self)
        let d = loadHalf(block, 80), dmin = loadHalf(block, 82)
        for h in 0..<2 {
            let qs = (block + 16 + 32 * h).assumingMemoryBound(to: UInt8.self)
            for s in 0..<4 {
                let shift = UInt8(2 * s)
                for g in 0..<2 {
                    let packed = scales[8 * h + 2 * s + g]
                    let dl = d * Float(packed & 0x0F), ml = dmin * Float(packed >> 4)
                    let q = qs + 16 * g, out = destination + 256 * b + 128 * h + 32 * s + 16 * g
                    for l in 0..<16 { out[l] = dl * Float((q[l] &>> shift) & 3) - ml }
                }
            }
        }
    }
}

/// Q3_K → Float32, `blocks` super-blocks of 256 values (110 bytes each).
func dequantizeQ3_K(_ source: UnsafeRawPointer, _ destination: UnsafeMutablePointer<Float>, blocks: Int) {
    for b in 0..<blocks {
        let block = source + 110 * b
        let hmask = block.assumingMemoryBound(to: UInt8.self)
        let scales = (block + 96).assumingMemoryBound(to: UInt8.self)
        let d = loadHalf(block, 108)
        for h in 0..<2 {
            let qs = (block + 32 + 32 * h).assumingMemoryBound(to: UInt8.self)
            for s in 0..<4 {
                let shift = UInt8(2 * s), highBit = UInt8(4 * h + s)
                for g in 0..<2 {
                    let dl = d * q3KScale(8 * h + 2 * s + g, scales)
                    let q = qs + 16 * g, high = hmask + 16 * g
                    let out = destination + 256 * b + 128 * h + 32 * s + 16 * g
                    for l in 0..<16 {
                        let value = Int32((q[l] &>> shift) & 3) - 4 + 4 * Int32((high[l] &>> highBit) & 1)
                        out[l] = dl * Float(value)
                    }
                }
            }
        }
    }
}

/// Q4_K → Float32, `blocks` super-blocks of 256 values (144 bytes each).
func dequantizeQ4_K(_ source: UnsafeRawPointer, _ destination: UnsafeMutablePointer<Float>, blocks: Int) {
    dequantizeSubBlockPairs(source, destination, blocks: blocks, blockBytes: 144) { block, k, l in
        let q = (block + 16 + 32 * k).assumingMemoryBound(to: UInt8.self)
        return (q[l] & 0x0F, q[l] >> 4)
    }
}

/// Q5_K → Float32, `blocks` super-blocks of 256 values (176 bytes each).
func dequantizeQ5_K(_ source: UnsafeRawPointer, _ destination: UnsafeMutablePointer<Float>, blocks: Int) {
    dequantizeSubBlockPairs(source, destination, blocks: blocks, blockBytes: 176) { block, k, l in
        let qh = (block + 16).assumingMemoryBound(to: UInt8.self)
        let q = (block + 48 + 32 * k).assumingMemoryBound(to: UInt8.self)
        let lowBit = UInt8(2 * k), highBit = UInt8(2 * k + 1)
        let low = (q[l] & 0x0F) | (((qh[l] &>> lowBit) & 1) << 4)
        let high = (q[l] >> 4) | (((qh[l] &>> highBit) & 1) << 4)
        return (low, high)
    }
}

/// The loop Q4_K and Q5_K share: super-blocks of `blockBytes` bytes that start with d, dmin
/// and the packed scales; `quants(block, k, l)` gives value l of sub-blocks 2k and 2k + 1.
@inline(__always)
private func dequantizeSubBlockPairs(_ source: UnsafeRawPointer, _ destination: UnsafeMutablePointer<Float>,
                                     blocks: Int, blockBytes: Int,
                                     quants: (UnsafeRawPointer, Int, Int) -> (low: UInt8, high: UInt8)) {
    for b in 0..<blocks {
        let block = source + blockBytes * b
        let d = loadHalf(block, 0), dmin = loadHalf(block, 2)
        let scales = (block + 4).assumingMemoryBound(to: UInt8.self)
        for k in 0..<4 {
            let (sc0, m0) = scaleAndMinimum(2 * k, scales), (sc1, m1) = scaleAndMinimum(2 * k + 1, scales)
            let d0 = d * sc0, min0 = dmin * m0, d1 = d * sc1, min1 = dmin * m1
            let out = destination + 256 * b + 64 * k
            for l in 0..<32 {
                let (low, high) = quants(block, k, l)
                out[l] = d0 * Float(low) - min0
                out[l + 32] = d1 * Float(high) - min1
            }
        }
    }
}

/// Q6_K → Float32, `blocks` super-blocks of 256 values (210 bytes each).
func dequantizeQ6_K(_ source: UnsafeRawPointer, _ destination: UnsafeMutablePointer<Float>, blocks: Int) {
    for b in 0..<blocks {
        let block = source + 210 * b
        let scales = (block + 192).assumingMemoryBound(to: Int8.self)
        let d = loadHalf(block, 208)
        for h in 0..<2 {
            let ql = (block + 64 * h).assumingMemoryBound(to: UInt8.self)
            let qh = (block + 128 + 32 * h).assumingMemoryBound(to: UInt8.self)
            for half in 0..<2 {  // values l in 16·half ..< 16·half + 16 of each quarter share a scale
                let sc = scales + 8 * h + half
                let d0 = d * Float(sc[0]), d1 = d * Float(sc[2]), d2 = d * Float(sc[4]), d3 = d * Float(sc[6])
                let out = destination + 256 * b + 128 * h
                for l in (16 * half)..<(16 * half + 16) {
                    let q0 = Int32((ql[l] & 0x0F) | ((qh[l] & 3) << 4)) - 32
                    let q1 = Int32((ql[l + 32] & 0x0F) | (((qh[l] >> 2) & 3) << 4)) - 32
                    let q2 = Int32((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32
                    let q3 = Int32((ql[l + 32] >> 4) | ((qh[l] >> 6) << 4)) - 32
                    out[l] = d0 * Float(q0)
                    out[l + 32] = d1 * Float(q1)
                    out[l + 64] = d2 * Float(q2)
                    out[l + 96] = d3 * Float(q3)
                }
            }
        }
    }
}
