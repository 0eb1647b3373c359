// The LM head, evaluated in chunks of rows.
//
// Shapes: N = rows (B·T), C = width, V = vocabulary, R = rows per chunk.
//   hidden (N, C), weight (V, C) (the embedding when tied), logits chunk (R, V)

/// Chunked logits → loss → gradients of the head and of the hidden states.
public enum LMHead {
    /// For every chunk: logits = hidden·Wᵀ, `loss` replaces them by ∂L/∂logits,
    /// then dweight += dlogitsᵀ·hidden and dhidden += dlogits·W (when given).
    /// Returns the sum of the values `loss` returned. `logitsScratch` holds R·V.
    public static func lossAndBackward<L: ChunkedLogitsLoss>(
        hidden: UnsafePointer<Float>, weight: UnsafePointer<Float>,
        hiddenGradient: UnsafeMutablePointer<Float>?, weightGradient: UnsafeMutablePointer<Float>?,
        rows N: Int, width C: Int, vocabularySize V: Int, chunkRows R: Int,
        logitsScratch: UnsafeMutablePointer<Float>, loss: inout L
    ) -> Double {
        var total = 0.0
        var start = 0
        while start < N {
            let rows = min(R, N - start)
            let h = hidden + start * C
            Matmul.forward(out: logitsScratch, inp: h, weight: weight, rows: rows, inputWidth: C, outputWidth: V)
            total += loss.lossAndGradient(rowStart: start, rowCount: rows, logits: logitsScratch, vocabularySize: V)
            Matmul.backward(dinp: hiddenGradient.map { $0 + start * C }, dweight: weightGradient,
                            dout: logitsScratch, inp: h, weight: weight, rows: rows, inputWidth: C, outputWidth: V)
            start += rows
        }
        return total
    }

    /// Calls `body(rowStart, rowCount, logits)` for every chunk of logits (R, V).
    public static func logits(hidden: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                              rows N: Int, width C: Int, vocabularySize V: Int, chunkRows R: Int,
                              logitsScratch: UnsafeMutablePointer<Float>,
                              body: (Int, Int, UnsafeMutablePointer<Float>) throws -> Void) rethrows {
        var start = 0
        while start < N {
            let rows = min(R, N - start)
            Matmul.forward(out: logitsScratch, inp: hidden + start * C, weight: weight,
                           rows: rows, inputWidth: C, outputWidth: V)
            try body(start, rows, logitsScratch)
            start += rows
        }
    }
}
