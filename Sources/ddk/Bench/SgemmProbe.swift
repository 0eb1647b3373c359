import Engine

/// Times cblas_sgemm on the shapes a training step uses.
enum SgemmProbe {
    /// One shape's best rate (a `sgemm_shapes` entry of `bench engine --json`).
    struct Result: Encodable { var m: Int, n: Int, k: Int, op: String, gflops: Double }

    static func measure(config c: LlamaConfig, rows N: Int, headRows R: Int) -> [Result] {
        let C = c.hiddenSize, F = c.intermediateSize, V = c.vocabularySize
        // (rows, in, out) of every linear layer: forward NT, backward-input NN, backward-weight TN
        let linears = [(N, C, c.qkvWidth), (N, c.queryWidth, C), (N, C, 2 * F), (N, F, C), (R, C, V)]
        var results: [Result] = []
        for (rows, inW, outW) in linears {
            results.append(time(op: "NT", m: rows, n: outW, k: inW))
            results.append(time(op: "NN", m: rows, n: inW, k: outW))
            results.append(time(op: "TN", m: outW, n: inW, k: rows))
        }
        return results
    }

    static func time(op: String, m: Int, n: Int, k: Int) -> Result {
        let ta = op.first == "T", tb = op.last == "T"
        let a = FloatBuffer(count: m * k), b = FloatBuffer(count: k * n), cbuf = FloatBuffer(count: m * n)
        for i in 0..<a.count { a.pointer[i] = Float(i % 97) / 97 - 0.5 }
        for i in 0..<b.count { b.pointer[i] = Float(i % 89) / 89 - 0.5 }
        func call() {
            Matmul.sgemm(transposeA: ta, transposeB: tb, m: m, n: n, k: k, alpha: 1,
                         a: a.pointer, lda: ta ? m : k, b: b.pointer, ldb: tb ? k : n,
                         beta: 0, c: cbuf.pointer, ldc: n)
        }
        call()
        var best = Double.infinity
        var total = 0.0, calls = 0
        while total < 0.25 || calls < 3 {
            let t = now(); call(); let d = now() - t
            best = min(best, d); total += d; calls += 1
        }
        return Result(m: m, n: n, k: k, op: op, gflops: 2 * Double(m * n * k) / best / 1e9)
    }
}
