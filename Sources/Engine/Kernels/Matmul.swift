// Linear layer without bias through OpenBLAS sgemm (row-major throughout).
//
// Shapes: N = rows (B·T), IC = input width, OC = output width.
//   inp    (N, IC)
//   weight (OC, IC)   Hugging Face `[out, in]`
//   out    (N, OC)    out = inp · weightᵀ
import COpenBLAS

/// `out = inp · weightᵀ` and its backward.
public enum Matmul {
    /// General row-major sgemm: C = alpha·op(A)·op(B) + beta·C.
    @inline(__always)
    public static func sgemm(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
                             alpha: Float, a: UnsafePointer<Float>, lda: Int,
                             b: UnsafePointer<Float>, ldb: Int,
                             beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        cblas_sgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                    blasint(m), blasint(n), blasint(k), alpha, a, blasint(lda), b, blasint(ldb),
                    beta, c, blasint(ldc))
    }

    /// out (N,OC) = inp (N,IC) · weightᵀ; adds to `out` when `accumulate`.
    public static func forward(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>,
                               weight: UnsafePointer<Float>, rows N: Int, inputWidth IC: Int,
                               outputWidth OC: Int, accumulate: Bool = false) {
        sgemm(transposeA: false, transposeB: true, m: N, n: OC, k: IC, alpha: 1,
              a: inp, lda: IC, b: weight, ldb: IC, beta: accumulate ? 1 : 0, c: out, ldc: OC)
    }

    /// dinp (N,IC) += dout · weight; dweight (OC,IC) += doutᵀ · inp. Either may be nil.
    public static func backward(dinp: UnsafeMutablePointer<Float>?, dweight: UnsafeMutablePointer<Float>?,
                                dout: UnsafePointer<Float>, inp: UnsafePointer<Float>,
                                weight: UnsafePointer<Float>, rows N: Int, inputWidth IC: Int,
                                outputWidth OC: Int) {
        if let dinp {
            sgemm(transposeA: false, transposeB: false, m: N, n: IC, k: OC, alpha: 1,
                  a: dout, lda: OC, b: weight, ldb: IC, beta: 1, c: dinp, ldc: IC)
        }
        if let dweight {
            sgemm(transposeA: true, transposeB: false, m: OC, n: IC, k: N, alpha: 1,
                  a: dout, lda: OC, b: inp, ldb: IC, beta: 1, c: dweight, ldc: IC)
        }
    }
}
