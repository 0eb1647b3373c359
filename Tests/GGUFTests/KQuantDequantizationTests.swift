import GGUF
import XCTest

/// The K-quants dequantized against values chosen by hand: each test packs known quantized
/// values, scales and minimums into super-blocks following the ggml layout (an encoder
/// written here, independent of the decoder) and expects the layout's formula. Two
/// super-blocks each, so that a wrong block stride shows. The scales and quants are small
/// integers and d, dmin powers of two, so every expected value is exact in Float.
final class KQuantDequantizationTests: XCTestCase {
    private func dequantize(typeID: UInt32, blocks: [[UInt8]]) throws -> [Float] {
        var writer = GGUFTestWriter()
        writer.tensors = [.init(name: "t", dimensions: [256, UInt64(blocks.count)], typeID: typeID, data: blocks.flatMap { $0 })]
        let file = try GGUFFile(path: try writer.write())
        XCTAssertEqual(try file.tensor(named: "t").byteCount, blocks.count * blocks[0].count)
        return try file.dequantize("t")
    }

    /// The 12 bytes of 6-bit scales and minimums of Q4_K and Q5_K: sub-blocks 0-3 in the low
    /// 6 bits of bytes 0-3 (scales) and 4-7 (minimums); sub-blocks 4-7 in the nibbles of bytes
    /// 8-11 (scale low, minimum high), their top 2 bits in the top bits of bytes 0-7.
    private func packScalesAndMinimums(_ scales: [Int], _ minimums: [Int]) -> [UInt8] {
        var packed = [UInt8](repeating: 0, count: 12)
        for j in 0..<4 {
            packed[j] = UInt8(scales[j] | (scales[j + 4] >> 4) << 6)
            packed[j + 4] = UInt8(minimums[j] | (minimums[j + 4] >> 4) << 6)
            packed[j + 8] = UInt8(scales[j + 4] & 15 | (minimums[j + 4] & 15) << 4)
        }
        return packed
    }

    // Scales and minimums that use all six bits, different in each super-block b.
    private func scales(_ b: Int) -> [Int] { [1, 2, 3, 63, 17, 40, 5, 33].map { ($0 + 7 * b) % 64 } }
    private func minimums(_ b: Int) -> [Int] { [0, 7, 63, 1, 48, 2, 31, 16].map { ($0 + 11 * b) % 64 } }

    func testQ4_K() throws {
        // d = 0.5 (0x3800) · 2^-b, dmin = 0.25 (0x3400); value l of sub-block k is q = (l + 3k + b) % 16.
        func q(_ b: Int, _ k: Int, _ l: Int) -> Int { (l + 3 * k + b) % 16 }
        let halves: [UInt16] = [0x3800, 0x3400]
        let blocks = (0..<2).map { b -> [UInt8] in
            var qs = [UInt8](repeating: 0, count: 128)
            for k in 0..<8 { for l in 0..<32 { qs[32 * (k / 2) + l] |= UInt8(q(b, k, l) << (4 * (k % 2))) } }
            return Bytes.of(halves[b]) + Bytes.of(UInt16(0x3400)) + packScalesAndMinimums(scales(b), minimums(b)) + qs
        }
        let d: [Float] = [0.5, 0.25]
        let expected = (0..<512).map { i -> Float in
            let b = i / 256, k = i % 256 / 32
            return d[b] * Float(scales(b)[k]) * Float(q(b, k, i % 32)) - 0.25 * Float(minimums(b)[k])
        }
        XCTAssertEqual(try dequantize(typeID: 12, blocks: blocks), expected)
    }

    func testQ5_K() throws {
        // As Q4_K with 5-bit q = (5l + k + b) % 32; bit k of qh[l] is the fifth bit of value l of sub-block k.
        func q(_ b: Int, _ k: Int, _ l: Int) -> Int { (5 * l + k + b) % 32 }
        let halves: [UInt16] = [0x3800, 0x3400]
        let blocks = (0..<2).map { b -> [UInt8] in
            var qh = [UInt8](repeating: 0, count: 32), qs = [UInt8](repeating: 0, count: 128)
            for k in 0..<8 {
                for l in 0..<32 {
                    qs[32 * (k / 2) + l] |= UInt8((q(b, k, l) & 15) << (4 * (k % 2)))
                    qh[l] |= UInt8((q(b, k, l) >> 4) << k)
                }
            }
            return Bytes.of(halves[b]) + Bytes.of(UInt16(0x3400)) + packScalesAndMinimums(scales(b), minimums(b)) + qh + qs
        }
        let d: [Float] = [0.5, 0.25]
        let expected = (0..<512).map { i -> Float in
            let b = i / 256, k = i % 256 / 32
            return d[b] * Float(scales(b)[k]) * Float(q(b, k, i % 32)) - 0.25 * Float(minimums(b)[k])
        }
        XCTAssertEqual(try dequantize(typeID: 13, blocks: blocks), expected)
    }

    func testQ6_K() throws {
        // d = 0.125 (0x3000) · 2^b; int8 scale of sub-block i (16 values) = 9i − 70 + b; 6-bit
        // q(e) = (7e + 3 + b) % 64, value = d·scale·(q − 32). For e = 128h + 32t + l the low
        // nibble sits in ql[64h + 32(t % 2) + l] (shifted 4·(t / 2)), the top 2 bits in
        // qh[32h + l] (shifted 2t).
        func q(_ b: Int, _ e: Int) -> Int { (7 * e + 3 + b) % 64 }
        func scale(_ b: Int, _ i: Int) -> Int { 9 * i - 70 + b }
        let halves: [UInt16] = [0x3000, 0x3400]
        let blocks = (0..<2).map { b -> [UInt8] in
            var ql = [UInt8](repeating: 0, count: 128), qh = [UInt8](repeating: 0, count: 64)
            for e in 0..<256 {
                let h = e / 128, t = e % 128 / 32, l = e % 32
                ql[64 * h + 32 * (t % 2) + l] |= UInt8((q(b, e) & 15) << (4 * (t / 2)))
                qh[32 * h + l] |= UInt8((q(b, e) >> 4) << (2 * t))
            }
            let scaleBytes = (0..<16).map { UInt8(bitPattern: Int8(scale(b, $0))) }
            return ql + qh + scaleBytes + Bytes.of(halves[b])
        }
        let d: [Float] = [0.125, 0.25]
        let expected = (0..<512).map { i -> Float in
            let b = i / 256, e = i % 256
            return d[b] * Float(scale(b, e / 16)) * Float(q(b, e) - 32)
        }
        XCTAssertEqual(try dequantize(typeID: 14, blocks: blocks), expected)
    }

    func testQ2_K() throws {
        // scales[i] = sc | m << 4 with sc = (i + b) % 16, m = 15 − i; d = 0.5, dmin = 1 (0x3C00);
        // 2-bit q(e) = (3e + ⌊e / 7⌋ + b) % 4 at qs[32h + l] >> 2s for e = 128h + 32s + l.
        func q(_ b: Int, _ e: Int) -> Int { (3 * e + e / 7 + b) % 4 }
        func sc(_ b: Int, _ i: Int) -> Int { (i + b) % 16 }
        let blocks = (0..<2).map { b -> [UInt8] in
            var qs = [UInt8](repeating: 0, count: 64)
            for e in 0..<256 { qs[32 * (e / 128) + e % 32] |= UInt8(q(b, e) << (2 * (e % 128 / 32))) }
            let scaleBytes = (0..<16).map { i in UInt8(sc(b, i) | (15 - i) << 4) }
            return scaleBytes + qs + Bytes.of(UInt16(0x3800)) + Bytes.of(UInt16(0x3C00))
        }
        let expected = (0..<512).map { i -> Float in
            let b = i / 256, e = i % 256
            return 0.5 * Float(sc(b, e / 16)) * Float(q(b, e)) - Float(15 - e / 16)
        }
        XCTAssertEqual(try dequantize(typeID: 10, blocks: blocks), expected)
    }

    func testQ3_K() throws {
        // 6-bit scales stored as s = (13i + 5 + b) % 64 (meaning s − 32): low nibble in byte
        // i % 8 (low nibble for i < 8, high for i ≥ 8), top 2 bits in byte 8 + i % 4 (shifted
        // 2·(i / 4)). Value v(e) = (5e + ⌊e / 9⌋ + b) % 8 − 4 in −4...3, stored as 2 low bits at
        // qs[32h + l] >> 2s (e = 128h + 32s + l) and a high bit h = (v + 4) >> 2 at bit e / 32
        // of hmask[e % 32]; d = 0.25 (0x3400).
        func v(_ b: Int, _ e: Int) -> Int { (5 * e + e / 9 + b) % 8 - 4 }
        func s(_ b: Int, _ i: Int) -> Int { (13 * i + 5 + b) % 64 }
        let blocks = (0..<2).map { b -> [UInt8] in
            var hmask = [UInt8](repeating: 0, count: 32), qs = [UInt8](repeating: 0, count: 64)
            var scales = [UInt8](repeating: 0, count: 12)
            for e in 0..<256 {
                let stored = v(b, e) + 4
                qs[32 * (e / 128) + e % 32] |= UInt8((stored & 3) << (2 * (e % 128 / 32)))
                hmask[e % 32] |= UInt8((stored >> 2) << (e / 32))
            }
            for i in 0..<16 {
                scales[i % 8] |= UInt8((s(b, i) & 15) << (i < 8 ? 0 : 4))
                scales[8 + i % 4] |= UInt8((s(b, i) >> 4) << (2 * (i / 4)))
            }
            return hmask + qs + scales + Bytes.of(UInt16(0x3400))
        }
        let expected = (0..<512).map { i -> Float in
            let b = i / 256, e = i % 256
            return 0.25 * Float(s(b, e / 16) - 32) * Float(v(b, e))
        }
        XCTAssertEqual(try dequantize(typeID: 11, blocks: blocks), expected)
    }
}
