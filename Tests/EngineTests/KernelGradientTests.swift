import XCTest
import Engine

/// Finite-difference checks of every kernel's backward against its forward.
final class KernelGradientTests: XCTestCase {
    func testMatmul() {
        var rnd = TestRandom(1)
        let N = 5, IC = 7, OC = 6
        var inp = rnd.floats(N * IC), w = rnd.floats(OC * IC)
        let r = rnd.floats(N * OC)
        func loss(_ inp: [Float], _ w: [Float]) -> Double {
            var out = [Float](repeating: 0, count: N * OC)
            out.withMutablePointer { o in inp.withPointer { i in w.withPointer { Matmul.forward(out: o, inp: i, weight: $0, rows: N, inputWidth: IC, outputWidth: OC) } } }
            return weightedSum(out, r)
        }
        var dinp = [Float](repeating: 0, count: N * IC), dw = [Float](repeating: 0, count: OC * IC)
        dinp.withMutablePointer { di in dw.withMutablePointer { dwp in r.withPointer { rp in inp.withPointer { ip in w.withPointer { wp in
            Matmul.backward(dinp: di, dweight: dwp, dout: rp, inp: ip, weight: wp, rows: N, inputWidth: IC, outputWidth: OC)
        } } } } }
        let w0 = w, inp0 = inp
        assertGradient("matmul dinp", analytic: dinp, x: &inp) { loss($0, w0) }
        assertGradient("matmul dweight", analytic: dw, x: &w) { loss(inp0, $0) }
    }

    func testEmbedding() {
        var rnd = TestRandom(2)
        let V = 9, C = 4, N = 6
        let tokens: [Int32] = [1, 3, 3, 0, 8, 1]
        var w = rnd.floats(V * C); let r = rnd.floats(N * C)
        func loss(_ w: [Float]) -> Double {
            var out = [Float](repeating: 0, count: N * C)
            out.withMutablePointer { o in w.withPointer { wp in tokens.withUnsafeBufferPointer { Embedding.forward(out: o, tokens: $0.baseAddress!, weight: wp, count: N, width: C) } } }
            return weightedSum(out, r)
        }
        var dw = [Float](repeating: 0, count: V * C)
        dw.withMutablePointer { d in r.withPointer { rp in tokens.withUnsafeBufferPointer { Embedding.backward(dweight: d, dout: rp, tokens: $0.baseAddress!, count: N, width: C) } } }
        // rows of tokens that never occur have zero gradient and zero numeric gradient
        assertGradient("embedding dweight", analytic: dw, x: &w) { loss($0) }
    }

    func testRMSNorm() {
        var rnd = TestRandom(3)
        let N = 4, C = 12
        var inp = rnd.floats(N * C), w = rnd.floats(C)
        let r = rnd.floats(N * C)
        for i in w.indices { w[i] += 1 }
        func loss(_ inp: [Float], _ w: [Float]) -> Double {
            var out = [Float](repeating: 0, count: N * C), rstd = [Float](repeating: 0, count: N)
            out.withMutablePointer { o in rstd.withMutablePointer { rs in inp.withPointer { i in w.withPointer {
                RMSNorm.forward(out: o, rstd: rs, inp: i, weight: $0, rows: N, width: C, epsilon: 1e-5) } } } }
            return weightedSum(out, r)
        }
        var out = [Float](repeating: 0, count: N * C), rstd = [Float](repeating: 0, count: N)
        out.withMutablePointer { o in rstd.withMutablePointer { rs in inp.withPointer { i in w.withPointer {
            RMSNorm.forward(out: o, rstd: rs, inp: i, weight: $0, rows: N, width: C, epsilon: 1e-5) } } } }
        var dinp = [Float](repeating: 0, count: N * C), dw = [Float](repeating: 0, count: C)
        dinp.withMutablePointer { di in dw.withMutablePointer { dwp in r.withPointer { rp in inp.withPointer { ip in w.withPointer { wp in rstd.withPointer { rs in
            RMSNorm.backward(dinp: di, dweight: dwp, dout: rp, inp: ip, weight: wp, rstd: rs, rows: N, width: C) } } } } } }
        let w0 = w, inp0 = inp
        assertGradient("rmsnorm dinp", analytic: dinp, x: &inp, step: 1e-3) { loss($0, w0) }
        assertGradient("rmsnorm dweight", analytic: dw, x: &w, step: 1e-3) { loss(inp0, $0) }
    }

    func testRotaryEmbedding() {
        var rnd = TestRandom(4)
        let B = 2, T = 5, HS = 8, heads = 3, stride = heads * HS + 4
        let table = RotaryTable(headSize: HS, maxPositions: T, theta: 10_000)
        var x = rnd.floats(B * T * stride); let r = rnd.floats(B * T * stride)
        func loss(_ x: [Float]) -> Double {
            var y = x
            y.withMutablePointer { RotaryEmbedding.forward($0, table: table, batch: B, sequence: T, heads: heads, rowStride: stride) }
            return weightedSum(y, r)
        }
        var dx = r
        dx.withMutablePointer { RotaryEmbedding.backward($0, table: table, batch: B, sequence: T, heads: heads, rowStride: stride) }
        assertGradient("rope dx", analytic: dx, x: &x) { loss($0) }
        // adjacent-pair convention: position 1, pair 0 rotates (x0, x1) by angle 1 rad
        var v = [Float](repeating: 0, count: 2 * HS); v[HS] = 1
        v.withMutablePointer { RotaryEmbedding.forward($0, table: table, batch: 1, sequence: 2, heads: 1, rowStride: HS) }
        XCTAssertEqual(v[HS], Float(cos(1.0)), accuracy: 1e-6)
        XCTAssertEqual(v[HS + 1], Float(sin(1.0)), accuracy: 1e-6)
    }

    func testAttentionGroupedQuery() {
        var rnd = TestRandom(5)
        let shape = Attention.Shape(batch: 2, sequence: 5, heads: 4, keyValueHeads: 2, headSize: 8)
        let QKV = (4 + 2 * 2) * 8, OW = 4 * 8, B = 2, T = 5
        var qkv = rnd.floats(B * T * QKV); let r = rnd.floats(B * T * OW)
        func loss(_ qkv: [Float]) -> Double {
            var out = [Float](repeating: 0, count: B * T * OW), probs = [Float](repeating: 0, count: B * 4 * T * T)
            out.withMutablePointer { o in probs.withMutablePointer { p in qkv.withPointer { Attention.forward(out: o, probs: p, qkv: $0, shape: shape) } } }
            return weightedSum(out, r)
        }
        var out = [Float](repeating: 0, count: B * T * OW), probs = [Float](repeating: 0, count: B * 4 * T * T)
        out.withMutablePointer { o in probs.withMutablePointer { p in qkv.withPointer { Attention.forward(out: o, probs: p, qkv: $0, shape: shape) } } }
        var dqkv = [Float](repeating: 0, count: B * T * QKV), scratch = [Float](repeating: 0, count: T * T)
        dqkv.withMutablePointer { d in r.withPointer { rp in qkv.withPointer { q in probs.withPointer { p in scratch.withMutablePointer { s in
            Attention.backward(dqkv: d, dout: rp, qkv: q, probs: p, scratch: s, shape: shape) } } } } }
        assertGradient("attention dqkv", analytic: dqkv, x: &qkv, step: 1e-2) { loss($0) }
        // causality: the first output row of each head equals v of position 0
        for h in 0..<4 {
            let kv = h / 2
            for d in 0..<8 { XCTAssertEqual(out[h * 8 + d], qkv[(4 + 2 + kv) * 8 + d], accuracy: 1e-6) }
        }
    }

    func testSwiGLU() {
        var rnd = TestRandom(6)
        let N = 3, F = 21   // 21: exercises the SIMD body and the scalar tail
        var gu = rnd.floats(N * 2 * F, scale: 3); let r = rnd.floats(N * F)
        func loss(_ gu: [Float]) -> Double {
            var out = [Float](repeating: 0, count: N * F)
            out.withMutablePointer { o in gu.withPointer { SwiGLU.forward(out: o, gateUp: $0, rows: N, width: F) } }
            return weightedSum(out, r)
        }
        var d = [Float](repeating: 0, count: N * 2 * F)
        d.withMutablePointer { dp in r.withPointer { rp in gu.withPointer { SwiGLU.backward(dgateUp: dp, dout: rp, gateUp: $0, rows: N, width: F) } } }
        assertGradient("swiglu dgateUp", analytic: d, x: &gu, step: 1e-3) { loss($0) }
    }

    func testResidual() {
        var rnd = TestRandom(7)
        let n = 10
        var a = rnd.floats(n); let b = rnd.floats(n), r = rnd.floats(n)
        func loss(_ a: [Float]) -> Double {
            var out = [Float](repeating: 0, count: n)
            out.withMutablePointer { o in a.withPointer { ap in b.withPointer { Residual.forward(out: o, a: ap, b: $0, count: n) } } }
            return weightedSum(out, r)
        }
        var da = [Float](repeating: 0, count: n), db = [Float](repeating: 0, count: n)
        da.withMutablePointer { dap in db.withMutablePointer { dbp in r.withPointer { Residual.backward(da: dap, db: dbp, dout: $0, count: n) } } }
        assertGradient("residual da", analytic: da, x: &a) { loss($0) }
        XCTAssertEqual(db, r)
    }

    func testCrossEntropy() {
        var rnd = TestRandom(8)
        let V = 53
        var logits = rnd.floats(V, scale: 4)
        let target: Int32 = 17, scale: Float = 0.25
        func loss(_ x: [Float]) -> Double {
            x.withPointer { Double(scale) * CrossEntropy.forward(logits: $0, target: target, vocabularySize: V) }
        }
        var g = logits
        let l = g.withMutablePointer { CrossEntropy.forwardBackwardInPlace(logits: $0, target: target, vocabularySize: V, scale: scale) }
        XCTAssertEqual(l * Double(scale), loss(logits), accuracy: 1e-6)
        // reference loss in double
        let m = logits.max()!
        let lse = Double(m) + log(logits.reduce(0.0) { $0 + exp(Double($1 - m)) })
        XCTAssertEqual(l, lse - Double(logits[Int(target)]), accuracy: 1e-5)
        assertGradient("cross-entropy dlogits", analytic: g, x: &logits, step: 1e-2) { loss($0) }
    }

    func testVectorExpAccuracy() {
        var worst: Double = 0
        var x: Float = -87
        while x < 88 {
            let v = Double(VectorMath.exp(x)), ref = exp(Double(x))
            worst = max(worst, abs(v - ref) / ref)
            x += 0.0137
        }
        XCTAssertLessThan(worst, 1e-6, "vectorised exp relative error \(worst)")
        XCTAssertEqual(VectorMath.exp(0), 1)
        var row: [Float] = [0, 1, -1, 20, -20, 3.3, 0.5, -0.25, 7, 8, 9, 10, 11, 12, 13, 14, 15, 2.5]
        let reference = row.map { Foundation.exp(Double($0)) }
        row.withMutablePointer { VectorMath.expInPlace($0, 18) }
        for i in row.indices { XCTAssertEqual(Double(row[i]), reference[i], accuracy: 1e-6 * reference[i]) }
    }

    /// Below −87.3 (and at −∞) `expUnderflowingToZero` is exactly 0, so that 0·log 0 terms of
    /// the losses vanish; just above it, and everywhere else, it equals `exp`.
    func testVectorExpUnderflowIsExactlyZero() {
        for x: Float in [-87.31, -88, -100, -1e4, -Float.greatestFiniteMagnitude, -.infinity] {
            XCTAssertEqual(VectorMath.expUnderflowingToZero(SIMD16<Float>(repeating: x))[0], 0, "exp(\(x))")
            XCTAssertGreaterThan(VectorMath.exp(x), 0, "clamped exp(\(x))")
        }
        let lanes = SIMD16<Float>((0..<16).map { -87.4 + Float($0) * 0.02 })
        let e = VectorMath.expUnderflowingToZero(lanes)
        for l in 0..<16 {
            if lanes[l] < -87.3 {
                XCTAssertEqual(e[l], 0, "exp(\(lanes[l]))")
            } else {
                let ref = Foundation.exp(Double(lanes[l]))
                XCTAssertEqual(Double(e[l]), ref, accuracy: 1e-6 * ref, "exp(\(lanes[l]))")
            }
        }
        var x: Float = -87.3
        while x < 88.7 {
            XCTAssertEqual(VectorMath.expUnderflowingToZero(SIMD16<Float>(repeating: x))[0], VectorMath.exp(x), "exp(\(x))")
            x += 0.731
        }
        XCTAssertEqual(VectorMath.expUnderflowingToZero(SIMD16<Float>(repeating: 1000))[0], VectorMath.exp(88.7))
    }

    /// Subnormal inputs (below 2^−126 ≈ 1.18e-38) give their true logarithm.
    func testVectorLogSubnormal() {
        var worst: Double = 0
        var x = Float.leastNonzeroMagnitude                    // 2^−149
        while x < 2 * Float.leastNormalMagnitude {
            let v = Double(VectorMath.log(x)), ref = Foundation.log(Double(x))
            worst = max(worst, abs(v - ref) / abs(ref))
            x *= 1.0137
            x = x.nextUp
        }
        XCTAssertLessThan(worst, 1e-6, "vectorised log relative error on subnormals \(worst)")
        XCTAssertEqual(Double(VectorMath.log(Float.leastNonzeroMagnitude)), -149 * Foundation.log(2.0), accuracy: 1e-5)
        XCTAssertEqual(Double(VectorMath.log(Float.leastNormalMagnitude.nextDown)), Foundation.log(Double(Float.leastNormalMagnitude.nextDown)), accuracy: 1e-5)
        XCTAssertTrue(VectorMath.log(.nan).isNaN)
    }

    func testVectorLogAccuracy() {
        var worst: Double = 0
        var x: Float = 1.2e-38
        while x < 3e38 {
            let v = Double(VectorMath.log(x)), ref = Foundation.log(Double(x))
            worst = max(worst, abs(v - ref) / max(abs(ref), 1e-3))
            x *= 1.0137
        }
        // near 1 the relative error of log(x) itself matters
        for k in -2000...2000 {
            let y = 1 + Float(k) * 1e-4
            let v = Double(VectorMath.log(y)), ref = Foundation.log(Double(y))
            if ref != 0 { worst = max(worst, abs(v - ref) / abs(ref)) } else { XCTAssertEqual(v, 0) }
        }
        XCTAssertLessThan(worst, 1e-6, "vectorised log relative error \(worst)")
        XCTAssertEqual(VectorMath.log(0), -.infinity)
        XCTAssertTrue(VectorMath.log(-1).isNaN)
        XCTAssertEqual(VectorMath.log(.infinity), .infinity)
        var row: [Float] = (1...21).map { Float($0) * 0.37 }
        let reference = row.map { Foundation.log(Double($0)) }
        row.withMutablePointer { VectorMath.logInPlace($0, 21) }
        for i in row.indices { XCTAssertEqual(Double(row[i]), reference[i], accuracy: 1e-6 * max(1, abs(reference[i]))) }
    }
}
