// The DSKD projectors: P_t2s (dT → dS), P_s2t (dS → dT) and, for cross-model
// attention, P_query (2dS → 2dT); each a linear map with bias. Parameters and
// gradients each live in ONE contiguous buffer whose layout follows from
// (dS, dT, withQuery); they train with their own learning rate.
//
// Shape legend: N = rows, dS = student width, dT = teacher width.
//   weight (out,in) row-major, then bias (out); x (N,in), y (N,out).

import Foundation

/// Offsets of one linear projector inside the projector buffer.
public struct ProjectorLayout: Sendable, Equatable {
    /// Input width.
    public let inputSize: Int
    /// Output width.
    public let outputSize: Int
    /// Offset of the (out,in) weight; the bias (out) follows it.
    public let offset: Int
    /// Weight plus bias element count.
    public var parameterCount: Int { outputSize * inputSize + outputSize }
    /// Offset of the bias.
    public var biasOffset: Int { offset + outputSize * inputSize }
}

/// The dual-space projectors with their parameter and gradient buffers.
public final class DualSpaceProjectors {
    /// P_t2s: teacher hidden (dT) → student space (dS).
    public let teacherToStudent: ProjectorLayout
    /// P_s2t: student hidden (dS) → teacher space (dT).
    public let studentToTeacher: ProjectorLayout
    /// P_query: [eS(x); eS(y)] (2dS) → 2dT; present for cross-model attention only.
    public let query: ProjectorLayout?
    /// All parameters, in the order t2s, s2t, query.
    public var parameters: [Float]
    /// Gradients, same layout; objectives ACCUMULATE into it, the caller zeroes it.
    public var gradients: [Float]
    /// The projectors' own learning rate (DSKD default 1e-3).
    public var learningRate: Float

    /// Projectors for widths dS, dT; nn.Linear-style init U(−1/√in, 1/√in) from `seed`.
    public init(studentWidth: Int, teacherWidth: Int, withQuery: Bool, learningRate: Float = 1e-3, seed: UInt64) {
        teacherToStudent = ProjectorLayout(inputSize: teacherWidth, outputSize: studentWidth, offset: 0)
        studentToTeacher = ProjectorLayout(inputSize: studentWidth, outputSize: teacherWidth,
                                           offset: teacherToStudent.parameterCount)
        let queryOffset = studentToTeacher.offset + studentToTeacher.parameterCount
        query = withQuery ? ProjectorLayout(inputSize: 2 * studentWidth, outputSize: 2 * teacherWidth, offset: queryOffset) : nil
        let count = queryOffset + (query?.parameterCount ?? 0)
        parameters = [Float](repeating: 0, count: count)
        gradients = [Float](repeating: 0, count: count)
        self.learningRate = learningRate
        var state = seed
        for layout in [teacherToStudent, studentToTeacher] + (query.map { [$0] } ?? []) {
            let bound = 1 / Float(layout.inputSize).squareRoot()
            for i in layout.offset..<(layout.offset + layout.parameterCount) {
                state = state &+ 0x9E37_79B9_7F4A_7C15
                var x = state
                x = (x ^ (x >> 30)) &* 0xBF58_476D_1CE4_E5B9
                x = (x ^ (x >> 27)) &* 0x94D0_49BB_1331_11EB
                x ^= x >> 31
                parameters[i] = (Float(x >> 40) / Float(1 << 24) * 2 - 1) * bound
            }
        }
    }

    /// Sets every gradient to zero.
    public func zeroGradients() {
        for i in gradients.indices { gradients[i] = 0 }
    }

    /// y (N,out) = x (N,in) · Wᵀ + b.
    func forward(_ layout: ProjectorLayout, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, rowCount: Int) {
        parameters.withUnsafeBufferPointer { p in
            let w = p.baseAddress! + layout.offset, b = p.baseAddress! + layout.biasOffset
            for r in 0..<rowCount {
                for o in 0..<layout.outputSize { output[r * layout.outputSize + o] = b[o] }
            }
            Matrix.multiplyTransposed(input, w, into: output, m: rowCount, n: layout.outputSize, k: layout.inputSize, beta: 1)
        }
    }

    /// dW += dyᵀ·x, db += Σ dy, and (if given) dx (N,in) += dy·W.
    func backward(_ layout: ProjectorLayout, input: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>,
                  inputGradient: UnsafeMutablePointer<Float>?, rowCount: Int) {
        gradients.withUnsafeMutableBufferPointer { g in
            let dw = g.baseAddress! + layout.offset, db = g.baseAddress! + layout.biasOffset
            Matrix.multiplyTransposedA(outputGradient, input, into: dw, m: layout.outputSize, n: layout.inputSize, k: rowCount, beta: 1)
            for r in 0..<rowCount {
                for o in 0..<layout.outputSize { db[o] += outputGradient[r * layout.outputSize + o] }
            }
        }
        if let inputGradient {
            parameters.withUnsafeBufferPointer { p in
                Matrix.multiply(outputGradient, p.baseAddress! + layout.offset, into: inputGradient,
                                m: rowCount, n: layout.inputSize, k: layout.outputSize, beta: 1)
            }
        }
    }
}
