import XCTest
import Engine

/// Finite-difference support: a scalar loss L = Σ out ⊙ R (R fixed random) so
/// that backward is called with dout = R; numeric gradients by central
/// differences, compared by relative error of the gradient vectors.
struct TestRandom {
    var generator: SeededGenerator
    init(_ seed: UInt64) { generator = SeededGenerator(seed: seed) }
    mutating func floats(_ n: Int, scale: Float = 1) -> [Float] {
        (0..<n).map { _ in Float(generator.nextUniform() * 2 - 1) * scale }
    }
    mutating func int(_ bound: Int) -> Int { Int(generator.next() % UInt64(bound)) }
}

func weightedSum(_ out: [Float], _ r: [Float]) -> Double {
    var s = 0.0
    for i in out.indices { s += Double(out[i]) * Double(r[i]) }
    return s
}

/// Central-difference gradient of `loss` with respect to `x` at the given indices.
func numericGradient(_ x: inout [Float], indices: [Int], step: Float, loss: ([Float]) -> Double) -> [Double] {
    indices.map { i in
        let saved = x[i]
        x[i] = saved + step; let plus = loss(x)
        x[i] = saved - step; let minus = loss(x)
        x[i] = saved
        return (plus - minus) / (2 * Double(step))
    }
}

/// ‖a − n‖ / max(‖a‖, ‖n‖, tiny).
func relativeError(_ analytic: [Double], _ numeric: [Double]) -> Double {
    var d = 0.0, a = 0.0, n = 0.0
    for i in analytic.indices {
        d += (analytic[i] - numeric[i]) * (analytic[i] - numeric[i])
        a += analytic[i] * analytic[i]; n += numeric[i] * numeric[i]
    }
    return d.squareRoot() / max(a.squareRoot(), n.squareRoot(), 1e-12)
}

func assertGradient(_ name: String, analytic: [Float], x: inout [Float], step: Float = 1e-2,
                    tolerance: Double = 1e-2, indices: [Int]? = nil,
                    loss: ([Float]) -> Double, file: StaticString = #filePath, line: UInt = #line) {
    let idx = indices ?? Array(x.indices)
    let numeric = numericGradient(&x, indices: idx, step: step, loss: loss)
    let a = idx.map { Double(analytic[$0]) }
    let err = relativeError(a, numeric)
    XCTAssert(a.contains { $0 != 0 }, "\(name): analytic gradient is all zero", file: file, line: line)
    XCTAssertLessThan(err, tolerance, "\(name): relative error \(err)", file: file, line: line)
}

extension Array where Element == Float {
    func withPointer<R>(_ body: (UnsafePointer<Float>) throws -> R) rethrows -> R {
        try withUnsafeBufferPointer { try body($0.baseAddress!) }
    }
    mutating func withMutablePointer<R>(_ body: (UnsafeMutablePointer<Float>) throws -> R) rethrows -> R {
        try withUnsafeMutableBufferPointer { try body($0.baseAddress!) }
    }
}

let tinyConfig = try! LlamaConfig(hiddenSize: 16, intermediateSize: 24, layerCount: 2, attentionHeadCount: 4,
                                  keyValueHeadCount: 2, vocabularySize: 37, rmsNormEpsilon: 1e-5,
                                  ropeTheta: 10_000, maxPositionEmbeddings: 64, tieWordEmbeddings: true)
