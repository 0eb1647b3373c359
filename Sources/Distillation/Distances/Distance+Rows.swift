// Distances as plain llm.c-style functions over rows: `forward` writes one loss
// per row, `backward` ACCUMULATES dLoss·∂D/∂logits into the gradient buffers.
// The objectives use the fused row kernels directly (one set of passes for the
// loss and the gradient, written in place into the logits).
//
// Shape legend: N = rows, V = vocabulary size, K = top-k count.
//   student (N,V) logits, teacher (N,V) logits or TopKTargets (N,K)+(N),
//   losses (N), dLosses (N), studentGradient (N,V), teacherGradient (N,V).
// Temperatures: q = softmax(student/τ), p = softmax(teacher/(τ·τ_teacher)),
// no τ² factor; top-k targets carry their own temperature.

extension Distance {
    // MARK: dispatch (one switch per row, the term type specialized inside)

    /// Calls `kernel` with this distance's term type: the only switch from a distance to
    /// its term, specialized away once inlined.
    @inline(__always) @usableFromInline
    func withTerm<Kernel: RowKernelCall>(_ kernel: Kernel) -> RowLosses {
        switch self {
        case .forwardKL: return kernel.run(ForwardKLTerm.self)
        case .reverseKL: return kernel.run(ReverseKLTerm.self)
        case .jensenShannon: return kernel.run(JensenShannonTerm.self)
        case .skewedForwardKL: return kernel.run(SkewedForwardKLTerm.self)
        case .skewedReverseKL: return kernel.run(SkewedReverseKLTerm.self)
        case .adaptiveKL: return kernel.run(AdaptiveKLTerm.self)
        case .totalVariation: return kernel.run(TotalVariationTerm.self)
        }
    }

    @inline(__always) @usableFromInline
    func fullRow(z: UnsafePointer<Float>, t: UnsafePointer<Float>, count: Int, studentScale: Float, teacherScale: Float,
                 label: Int, crossEntropyWeight: Float, distanceWeight: Float,
                 gradient: RowGradient, teacherGradient: UnsafeMutablePointer<Float>?, scratch: KernelScratch) -> RowLosses {
        withTerm(FullRowCall(distance: self, z: z, t: t, count: count, studentScale: studentScale,
                             teacherScale: teacherScale, label: label, crossEntropyWeight: crossEntropyWeight,
                             distanceWeight: distanceWeight, gradient: gradient, teacherGradient: teacherGradient,
                             scratch: scratch))
    }

    @inline(__always) @usableFromInline
    func topKRow(z: UnsafePointer<Float>, count: Int, targets: TopKTargets, targetRow: Int, studentScale: Float,
                 label: Int, crossEntropyWeight: Float, distanceWeight: Float,
                 gradient: RowGradient, scratch: KernelScratch) -> RowLosses {
        let k = targets.k
        return targets.ids.withUnsafeBufferPointer { idsBuffer in
            targets.logProbabilities.withUnsafeBufferPointer { lpBuffer in
                withTerm(TopKRowCall(distance: self, z: z, count: count, ids: idsBuffer.baseAddress! + targetRow * k,
                                     logProbabilities: lpBuffer.baseAddress! + targetRow * k,
                                     tailMass: targets.tailMass[targetRow], k: k, studentScale: studentScale, label: label,
                                     crossEntropyWeight: crossEntropyWeight, distanceWeight: distanceWeight,
                                     gradient: gradient, scratch: scratch))
            }
        }
    }

    // MARK: full teacher logits

    /// Per-row D(softmax(teacher/(τ·τ_teacher)) ‖ softmax(student/τ)) into `losses` (N).
    public func forward(losses: UnsafeMutablePointer<Float>,
                        student: UnsafePointer<Float>, teacher: UnsafePointer<Float>,
                        rowCount: Int, vocabularySize: Int,
                        temperature: Float, teacherTemperature: Float = 1, scratch: KernelScratch) {
        for r in 0..<rowCount {
            let offset = r * vocabularySize
            losses[r] = Float(fullRow(z: student + offset, t: teacher + offset, count: vocabularySize,
                                      studentScale: 1 / temperature, teacherScale: 1 / (temperature * teacherTemperature),
                                      label: -1, crossEntropyWeight: 0, distanceWeight: 1,
                                      gradient: .none, teacherGradient: nil, scratch: scratch).distance)
        }
    }

    /// Accumulates `dLosses[r] · ∂D_r/∂student` into `studentGradient` (N,V) and, when given,
    /// `dLosses[r] · ∂D_r/∂teacher` into `teacherGradient` (N,V).
    public func backward(studentGradient: UnsafeMutablePointer<Float>, teacherGradient: UnsafeMutablePointer<Float>?,
                         dLosses: UnsafePointer<Float>,
                         student: UnsafePointer<Float>, teacher: UnsafePointer<Float>,
                         rowCount: Int, vocabularySize: Int,
                         temperature: Float, teacherTemperature: Float = 1, scratch: KernelScratch) {
        for r in 0..<rowCount where dLosses[r] != 0 {
            let offset = r * vocabularySize
            _ = fullRow(z: student + offset, t: teacher + offset, count: vocabularySize,
                        studentScale: 1 / temperature, teacherScale: 1 / (temperature * teacherTemperature),
                        label: -1, crossEntropyWeight: 0, distanceWeight: dLosses[r],
                        gradient: RowGradient(studentGradient + offset, accumulate: true),
                        teacherGradient: teacherGradient.map { $0 + offset }, scratch: scratch)
        }
    }

    // MARK: top-k teacher targets

    /// Per-row D over the top-k ids plus the tail bucket (see `TopKTargets`), student at τ =
    /// `targets.temperature`; student row r is compared with target row `targetRowOffset + r`.
    public func forward(losses: UnsafeMutablePointer<Float>, student: UnsafePointer<Float>,
                        targets: TopKTargets, targetRowOffset: Int = 0,
                        rowCount: Int, scratch: KernelScratch) {
        let vocabularySize = targets.vocabularySize
        for r in 0..<rowCount {
            losses[r] = Float(topKRow(z: student + r * vocabularySize, count: vocabularySize, targets: targets,
                                      targetRow: targetRowOffset + r, studentScale: 1 / targets.temperature,
                                      label: -1, crossEntropyWeight: 0, distanceWeight: 1,
                                      gradient: .none, scratch: scratch).distance)
        }
    }

    /// Accumulates `dLosses[r] · ∂D_r/∂student` into `studentGradient` (N,V) for top-k targets
    /// (the targets are data: they receive no gradient).
    public func backward(studentGradient: UnsafeMutablePointer<Float>, dLosses: UnsafePointer<Float>,
                         student: UnsafePointer<Float>, targets: TopKTargets, targetRowOffset: Int = 0,
                         rowCount: Int, scratch: KernelScratch) {
        let vocabularySize = targets.vocabularySize
        for r in 0..<rowCount where dLosses[r] != 0 {
            let offset = r * vocabularySize
            _ = topKRow(z: student + offset, count: vocabularySize, targets: targets,
                        targetRow: targetRowOffset + r, studentScale: 1 / targets.temperature,
                        label: -1, crossEntropyWeight: 0, distanceWeight: dLosses[r],
                        gradient: RowGradient(studentGradient + offset, accumulate: true), scratch: scratch)
        }
    }
}
