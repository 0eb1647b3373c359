// One row kernel with its arguments bound, waiting for the distance's term type
// (`Distance.withTerm` supplies it): the generic kernel is then specialized per term,
// and each argument list is written once.

/// A row kernel call that needs only the term type.
@usableFromInline
protocol RowKernelCall {
    func run<Term: DistanceTerm>(_ term: Term.Type) -> RowLosses
}

/// `RowKernels.full` on one row of student and teacher logits.
@usableFromInline
struct FullRowCall: RowKernelCall {
    let distance: Distance
    let z: UnsafePointer<Float>, t: UnsafePointer<Float>, count: Int
    let studentScale: Float, teacherScale: Float
    let label: Int, crossEntropyWeight: Float, distanceWeight: Float
    let gradient: RowGradient, teacherGradient: UnsafeMutablePointer<Float>?, scratch: KernelScratch

    @inline(__always) @usableFromInline
    func run<Term: DistanceTerm>(_ term: Term.Type) -> RowLosses {
        RowKernels.full(term, distance: distance, z: z, t: t, count: count, studentScale: studentScale,
                        teacherScale: teacherScale, label: label, crossEntropyWeight: crossEntropyWeight,
                        distanceWeight: distanceWeight, gradient: gradient, teacherGradient: teacherGradient,
                        scratch: scratch)
    }
}

/// `RowKernels.topK` on one row of student logits against one row of top-k targets.
@usableFromInline
struct TopKRowCall: RowKernelCall {
    let distance: Distance
    let z: UnsafePointer<Float>, count: Int
    let ids: UnsafePointer<Int32>, logProbabilities: UnsafePointer<Float>, tailMass: Float, k: Int
    let studentScale: Float
    let label: Int, crossEntropyWeight: Float, distanceWeight: Float
    let gradient: RowGradient, scratch: KernelScratch

    @inline(__always) @usableFromInline
    func run<Term: DistanceTerm>(_ term: Term.Type) -> RowLosses {
        RowKernels.topK(term, distance: distance, z: z, count: count, ids: ids, logProbabilities: logProbabilities,
                        tailMass: tailMass, k: k, studentScale: studentScale, label: label,
                        crossEntropyWeight: crossEntropyWeight, distanceWeight: distanceWeight,
                        gradient: gradient, scratch: scratch)
    }
}
