// The teacher-space term kd_s2t shared by `dskd` and `dskd-cma` (docs/ALGORITHMS.md §2):
//   z_s2t = h·stopgrad(WT)ᵀ, zT = hT·WTᵀ,  kd_s2t = Σ_rows FKL(softmax(zT/τ) ‖ softmax(z_s2t/τ))
// over the rows whose label is not padding; the gradient goes to h only.
//
// Shape legend: N = rows (teacher-side positions), dT = teacher width, V = teacher vocabulary.
//   h (N,dT) student states projected into the teacher space, hT (N,dT), WT (V,dT),
//   labels (N), dh (N,dT); logits (chunk,V) scratch, two of them.

/// The teacher-space forward-KL term of dual-space distillation.
enum TeacherSpaceDistillation {
    /// Returns kd_s2t (already multiplied by `weight`) and WRITES `weight·∂kd_s2t/∂h` into
    /// `hiddenGradient` (N,dT); rows go through the vocabulary in chunks of `chunkRows`,
    /// using `projected` and `teacherLogits` as (chunk,V) scratch (grown when too small).
    static func forwardKL(hidden: [Float], teacherHidden: [Float], teacherHead: [Float], labels: [Int32],
                          rowCount n: Int, teacherWidth dT: Int, vocabularySize v: Int,
                          temperature: Float, weight: Float, chunkRows: Int,
                          hiddenGradient: inout [Float], projected: inout [Float], teacherLogits: inout [Float],
                          scratch: KernelScratch) -> Double {
        let chunk = min(chunkRows, max(n, 1))
        if projected.count < chunk * v { projected = [Float](repeating: 0, count: chunk * v) }
        if teacherLogits.count < chunk * v { teacherLogits = [Float](repeating: 0, count: chunk * v) }
        let tauScale = 1 / temperature
        var kd = 0.0
        for start in stride(from: 0, to: n, by: chunk) {
            let rows = min(chunk, n - start)
            teacherHead.withUnsafeBufferPointer { wT in
                hidden.withUnsafeBufferPointer { h in
                    Matrix.multiplyTransposed(h.baseAddress! + start * dT, wT.baseAddress!, into: &projected, m: rows, n: v, k: dT)
                }
                teacherHidden.withUnsafeBufferPointer { hT in
                    Matrix.multiplyTransposed(hT.baseAddress! + start * dT, wT.baseAddress!, into: &teacherLogits, m: rows, n: v, k: dT)
                }
            }
            projected.withUnsafeMutableBufferPointer { z in
                teacherLogits.withUnsafeBufferPointer { zT in
                    for r in 0..<rows {
                        let row = z.baseAddress! + r * v
                        guard labels[start + r] >= 0 else { row.update(repeating: 0, count: v); continue }
                        kd += Distance.forwardKL.fullRow(z: row, t: zT.baseAddress! + r * v, count: v,
                                                         studentScale: tauScale, teacherScale: tauScale, label: -1,
                                                         crossEntropyWeight: 0, distanceWeight: weight,
                                                         gradient: RowGradient(row, accumulate: false),
                                                         teacherGradient: nil, scratch: scratch).distance
                    }
                }
            }
            teacherHead.withUnsafeBufferPointer { wT in
                hiddenGradient.withUnsafeMutableBufferPointer { d in
                    Matrix.multiply(projected, wT.baseAddress!, into: d.baseAddress! + start * dT, m: rows, n: dT, k: v)
                }
            }
        }
        return kd
    }
}
