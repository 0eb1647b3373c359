// Rotary position embedding: within each head, pairs of elements are rotated by the
// angle pos · θ^(-2i/HS). The Llama path pairs ADJACENT elements (x[2i], x[2i+1]) (llama.cpp
// "normal" mode, as the teacher's GGUF stores Q/K); Hugging Face's rotate_half pairs
// (x[i], x[i+HS/2]) instead (the Gemma path, HalfRotaryEmbedding.swift); checkpoints
// convert the q/k projection rows (see Checkpoint/RotaryPermutation.swift).
//
// Shapes: B = batch, T = sequence, HS = head size, H = heads rotated per row.
//   x     (B, T, rowStride): the first H·HS columns of each row are rotated in place
//   table cos/sin (maxT, HS/2)

import Foundation

/// Precomputed cos/sin of every position and frequency.
public struct RotaryTable: Sendable {
    /// Head size HS.
    public let headSize: Int
    /// Largest sequence length covered.
    public let maxPositions: Int
    /// cos(pos · freq_i), (maxT, HS/2).
    public let cosines: [Float]
    /// sin(pos · freq_i), (maxT, HS/2).
    public let sines: [Float]

    /// Builds the table for `theta` (rope_theta) in double precision.
    public init(headSize: Int, maxPositions: Int, theta: Float) {
        self.headSize = headSize
        self.maxPositions = maxPositions
        let half = headSize / 2
        var c = [Float](repeating: 0, count: maxPositions * half)
        var s = [Float](repeating: 0, count: maxPositions * half)
        for p in 0..<maxPositions {
            for i in 0..<half {
                let freq = Foundation.pow(Double(theta), -2.0 * Double(i) / Double(headSize))
                let angle = Double(p) * freq
                c[p * half + i] = Float(Foundation.cos(angle))
                s[p * half + i] = Float(Foundation.sin(angle))
            }
        }
        cosines = c
        sines = s
    }
}

/// Which two elements of a head rotate together.
public enum RotaryPairing: Sendable {
    /// (x[2i], x[2i+1]): llama.cpp's normal mode, the Llama path.
    case adjacent
    /// (x[i], x[i+HS/2]): Hugging Face's rotate_half, llama.cpp's NEOX mode, the Gemma path.
    case rotateHalf
}

/// In-place rotation of query/key heads and its backward (rotation by −angle).
public enum RotaryEmbedding {
    /// Rotates the first `heads`·HS columns of every (b, t) row of x in place.
    public static func forward(_ x: UnsafeMutablePointer<Float>, table: RotaryTable,
                               batch B: Int, sequence T: Int, heads: Int, rowStride: Int) {
        apply(x, table: table, batch: B, sequence: T, heads: heads, rowStride: rowStride, pairing: .adjacent, sign: 1)
    }

    /// dx is rotated back in place: the gradient of a rotation is the inverse rotation.
    public static func backward(_ dx: UnsafeMutablePointer<Float>, table: RotaryTable,
                                batch B: Int, sequence T: Int, heads: Int, rowStride: Int) {
        apply(dx, table: table, batch: B, sequence: T, heads: heads, rowStride: rowStride, pairing: .adjacent, sign: -1)
    }

    /// Rotates by sign·angle the pairs (x[step·i], x[step·i + partner]) of every head.
    @inline(__always)
    static func apply(_ x: UnsafeMutablePointer<Float>, table: RotaryTable, batch B: Int, sequence T: Int,
                      heads: Int, rowStride: Int, pairing: RotaryPairing, sign: Float) {
        precondition(T <= table.maxPositions, "RotaryEmbedding: sequence \(T) exceeds the table's \(table.maxPositions)")
        let HS = table.headSize, half = HS / 2
        let (step, partner) = pairing == .adjacent ? (2, 1) : (1, half)
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
                                let j = step * i
                                let x0 = v[j], x1 = v[j + partner]
                                let si = sign * s[i]
                                v[j] = x0 * c[i] - x1 * si
                                v[j + partner] = x0 * si + x1 * c[i]
                            }
                        }
                    }
                }
            }
        }
    }
}
