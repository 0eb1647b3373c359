// Row-major single-precision matrix products through OpenBLAS `cblas_sgemm`
// (the projectors, the projected logits and their backward passes).
// cblas_sgemm reports no errors; shapes are the callers' contract.
//
// Shape legend: M, N, K as in C (M,N) = A · B.

import COpenBLAS

@usableFromInline
enum Matrix {
    /// C (M,N) = alpha · A (M,K) · B (N,K)ᵀ + beta · C.
    @inline(__always) @usableFromInline
    static func multiplyTransposed(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, into c: UnsafeMutablePointer<Float>,
                                   m: Int, n: Int, k: Int, alpha: Float = 1, beta: Float = 0) {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(m), Int32(n), Int32(k),
                    alpha, a, Int32(k), b, Int32(k), beta, c, Int32(n))
    }

    /// C (M,N) = alpha · A (M,K) · B (K,N) + beta · C.
    @inline(__always) @usableFromInline
    static func multiply(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, into c: UnsafeMutablePointer<Float>,
                         m: Int, n: Int, k: Int, alpha: Float = 1, beta: Float = 0) {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(m), Int32(n), Int32(k),
                    alpha, a, Int32(k), b, Int32(n), beta, c, Int32(n))
    }

    /// C (M,N) = alpha · A (K,M)ᵀ · B (K,N) + beta · C.
    @inline(__always) @usableFromInline
    static func multiplyTransposedA(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, into c: UnsafeMutablePointer<Float>,
                                    m: Int, n: Int, k: Int, alpha: Float = 1, beta: Float = 0) {
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(m), Int32(n), Int32(k),
                    alpha, a, Int32(m), b, Int32(n), beta, c, Int32(n))
    }
}
