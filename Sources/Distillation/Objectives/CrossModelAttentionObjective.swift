// `dskd-cma`: dual-space KD with cross-model attention, for a student and a
// teacher with different vocabularies (ALGORITHMS.md §2, DSKD's
// dual_space_kd_with_cross_model_attention.py). Each side tokenizes the same
// text with its own tokenizer; attention aligns the two sequences.
//
// Shape legend: B = sequences, TS / TT = student / teacher positions per sequence,
// NS = B·TS, NT = B·TT, dS / dT = widths, VS / VT = vocabularies.
//   eS (VS,dS), eT (VT,dT) input embeddings (no gradient); WS (VS,dS), WT (VT,dT) heads (detached)
//   Q  (NS,2dT) = P_query([eS(x); eS(y)])                      queries, student positions
//   K  (NT,2dT) = [eT(x); eT(y)] / std(·)                       keys, teacher positions, no projection
//   VT (NT,dS)  = P_t2s(hT/std(hT) + eT(y)/std(eT(y)))          values for the student space
//   VS (NS,dT)  = P_s2t(hS)                                     values for the teacher space
//   A  (B,TS,TT) = Q Kᵀ / sqrt(2 dT) − 1e5 where either side is padding (no causal mask)
//   h_t2s = softmax_j(A) · VT (NS,dS),   z_t2s = h_t2s · WSᵀ (rows,VS)
//   h_s2t = softmax_i(Aᵀ) · VS (NT,dT),  z_s2t = h_s2t · WTᵀ (rows,VT),  zT = hT · WTᵀ
// Terms (sums; every one divided by the student's global label count, as DSKD):
//   ce      CE(student, y)
//   kd_t2s  D(p = softmax(stopgrad(z_t2s)/(τ·τ_teacher)) ‖ softmax(student/τ)), only where argmax z_t2s = y
//   ce_t2s  CE(z_t2s, y)                       → P_t2s, P_query
//   kd_s2t  FKL(softmax(zT/τ) ‖ softmax(z_s2t/τ)) over teacher label positions → P_s2t, P_query, hS
//   total = (1 − λ)·ce + λ·(kd_t2s + ce_t2s + kd_s2t)
// Padded positions (negative label) look up token 0, as DSKD does.
//
// Step protocol as `DualSpaceObjective`: beginStep, lossAndGradient per chunk,
// addStudentHiddenGradient(into:), finishStep.

import Foundation

/// One step's token data for `dskd-cma`: both tokenizations of the same B sequences.
public struct CrossModelBatch: Sendable {
    /// B.
    public let sequenceCount: Int
    /// TS and TT.
    public let studentLength: Int, teacherLength: Int
    /// (NS) student input ids and (NS) labels (negative = padding), global label count inside.
    public let studentInputs: [Int32], studentLabels: StepLabels
    /// (NT) teacher input ids and labels (negative = padding).
    public let teacherInputs: [Int32], teacherLabels: [Int32]

    /// Checks the sizes and the id ranges against both vocabularies.
    public init(sequenceCount: Int, studentLength: Int, teacherLength: Int,
                studentInputs: [Int32], studentLabels: StepLabels, teacherInputs: [Int32], teacherLabels: [Int32],
                studentVocabularySize: Int, teacherVocabularySize: Int) throws {
        let ns = sequenceCount * studentLength, nt = sequenceCount * teacherLength
        guard studentInputs.count == ns else { throw DistillationError.sizeMismatch("student input ids (B·TS)", expected: ns, got: studentInputs.count) }
        guard studentLabels.values.count == ns else { throw DistillationError.sizeMismatch("student labels (B·TS)", expected: ns, got: studentLabels.values.count) }
        guard teacherInputs.count == nt else { throw DistillationError.sizeMismatch("teacher input ids (B·TT)", expected: nt, got: teacherInputs.count) }
        guard teacherLabels.count == nt else { throw DistillationError.sizeMismatch("teacher labels (B·TT)", expected: nt, got: teacherLabels.count) }
        for id in studentInputs where id < 0 || Int(id) >= studentVocabularySize {
            throw DistillationError.tokenOutOfRange("student input ids", id: Int(id), vocabularySize: studentVocabularySize)
        }
        for id in studentLabels.values where Int(id) >= studentVocabularySize {
            throw DistillationError.tokenOutOfRange("student labels", id: Int(id), vocabularySize: studentVocabularySize)
        }
        for id in teacherInputs where id < 0 || Int(id) >= teacherVocabularySize {
            throw DistillationError.tokenOutOfRange("teacher input ids", id: Int(id), vocabularySize: teacherVocabularySize)
        }
        for id in teacherLabels where Int(id) >= teacherVocabularySize {
            throw DistillationError.tokenOutOfRange("teacher labels", id: Int(id), vocabularySize: teacherVocabularySize)
        }
        self.sequenceCount = sequenceCount; self.studentLength = studentLength; self.teacherLength = teacherLength
        self.studentInputs = studentInputs; self.studentLabels = studentLabels
        self.teacherInputs = teacherInputs; self.teacherLabels = teacherLabels
    }
}

/// Dual-space KD with cross-model attention; components `ce`, `kd_t2s`, `ce_t2s`, `kd_s2t`,
/// `t2s_correct` (label tokens where argmax z_t2s = y), `total`.
public final class CrossModelAttentionObjective: ChunkedObjective {
    /// Added to attention scores where the student or the teacher position is padding.
    public static let paddingScore: Float = -1e5

    /// The settings.
    public let configuration: DualSpaceConfiguration
    /// dS, dT, VS, VT.
    public let studentWidth: Int, teacherWidth: Int, studentVocabularySize: Int, teacherVocabularySize: Int
    /// P_t2s, P_s2t, P_query with their parameter and gradient buffers (the caller zeroes gradients).
    public let projectors: DualSpaceProjectors
    public var teacherRequirements: TeacherRequirements { ObjectiveKind.dskdCMA.teacherRequirements() }
    public private(set) var components = LossComponents()
    /// (NS,dS) ∂total/∂hS of the teacher-space term, valid after beginStep.
    public private(set) var studentHiddenGradient: [Float] = []

    private let teacherHead: [Float]         // (VT,dT)
    private let teacherEmbeddings: [Float]   // (VT,dT)
    private var batch: CrossModelBatch?
    private var studentHead: UnsafePointer<Float>?
    private var queryInput: [Float] = []     // (NS,2dS)
    private var keys: [Float] = []           // (NT,2dT)
    private var valueInput: [Float] = []     // (NT,dT)
    private var queries: [Float] = []        // (NS,2dT)
    private var teacherValues: [Float] = []  // (NT,dS)  VT
    private var t2sWeights: [Float] = []     // (B,TS,TT) softmax over j
    private var s2tWeights: [Float] = []     // (B,TT,TS) softmax over i
    private var t2sHidden: [Float] = []      // (NS,dS)
    private var t2sHiddenGradient: [Float] = []
    private var scoreGradient: [Float] = []  // (B,TS,TT) dA
    private var projected: [Float] = []
    private var teacherLogits: [Float] = []
    private let scratch = KernelScratch()
    private let s2tChunkRows = 32

    /// An objective with fresh projectors (seeded), the teacher's head (VT,dT) and input embeddings (VT,dT).
    public init(configuration: DualSpaceConfiguration, studentWidth: Int, teacherWidth: Int,
                studentVocabularySize: Int, teacherVocabularySize: Int,
                teacherHead: [Float], teacherEmbeddings: [Float], seed: UInt64) throws {
        guard teacherHead.count == teacherVocabularySize * teacherWidth else {
            throw DistillationError.sizeMismatch("teacher head matrix (VT,dT)", expected: teacherVocabularySize * teacherWidth, got: teacherHead.count)
        }
        guard teacherEmbeddings.count == teacherVocabularySize * teacherWidth else {
            throw DistillationError.sizeMismatch("teacher embeddings (VT,dT)", expected: teacherVocabularySize * teacherWidth, got: teacherEmbeddings.count)
        }
        self.configuration = configuration
        self.studentWidth = studentWidth; self.teacherWidth = teacherWidth
        self.studentVocabularySize = studentVocabularySize; self.teacherVocabularySize = teacherVocabularySize
        self.teacherHead = teacherHead; self.teacherEmbeddings = teacherEmbeddings
        projectors = DualSpaceProjectors(studentWidth: studentWidth, teacherWidth: teacherWidth, withQuery: true,
                                         learningRate: configuration.projectorLearningRate, seed: seed)
    }

    /// Starts a step: builds queries, keys and values, both attention maps, the
    /// teacher-space term `kd_s2t` whole (accumulating P_s2t's and P_query's gradients
    /// and `studentHiddenGradient`) and h_t2s. `studentHidden` (NS,dS), `studentEmbeddings`
    /// (VS,dS) and `studentHead` (VS,dS) are read here; `studentHead` must stay valid until `finishStep`.
    public func beginStep(batch: CrossModelBatch, studentHidden: UnsafePointer<Float>, teacherHidden: [Float],
                          studentEmbeddings: UnsafePointer<Float>, studentHead: UnsafePointer<Float>) throws {
        let b = batch.sequenceCount, ts = batch.studentLength, tt = batch.teacherLength
        let ns = b * ts, nt = b * tt, dS = studentWidth, dT = teacherWidth, vT = teacherVocabularySize
        guard teacherHidden.count == nt * dT else { throw DistillationError.sizeMismatch("teacher hidden states (B·TT,dT)", expected: nt * dT, got: teacherHidden.count) }
        self.batch = batch
        self.studentHead = studentHead
        components = LossComponents()
        for name in ["ce", "kd_t2s", "ce_t2s", "kd_s2t", "t2s_correct", "total"] { components[name] = 0 }
        let studentLabels = batch.studentLabels.values, teacherLabels = batch.teacherLabels

        // queries: [eS(x); eS(y)] with padded positions looking up token 0
        queryInput = [Float](repeating: 0, count: ns * 2 * dS)
        for i in 0..<ns {
            let padded = studentLabels[i] < 0
            let x = padded ? 0 : Int(batch.studentInputs[i]), y = padded ? 0 : Int(studentLabels[i])
            for c in 0..<dS {
                queryInput[i * 2 * dS + c] = studentEmbeddings[x * dS + c]
                queryInput[i * 2 * dS + dS + c] = studentEmbeddings[y * dS + c]
            }
        }
        // keys and value inputs
        keys = [Float](repeating: 0, count: nt * 2 * dT)
        var targetEmbeddings = [Float](repeating: 0, count: nt * dT)
        for j in 0..<nt {
            let padded = teacherLabels[j] < 0
            let x = padded ? 0 : Int(batch.teacherInputs[j]), y = padded ? 0 : Int(teacherLabels[j])
            for c in 0..<dT {
                keys[j * 2 * dT + c] = teacherEmbeddings[x * dT + c]
                keys[j * 2 * dT + dT + c] = teacherEmbeddings[y * dT + c]
                targetEmbeddings[j * dT + c] = teacherEmbeddings[y * dT + c]
            }
        }
        let keyScale = 1 / Self.standardDeviation(keys)
        for i in keys.indices { keys[i] *= keyScale }
        let hiddenScale = 1 / Self.standardDeviation(teacherHidden)
        let targetScale = 1 / Self.standardDeviation(targetEmbeddings)
        valueInput = [Float](repeating: 0, count: nt * dT)
        for i in valueInput.indices { valueInput[i] = teacherHidden[i] * hiddenScale + targetEmbeddings[i] * targetScale }

        queries = [Float](repeating: 0, count: ns * 2 * dT)
        projectors.forward(projectors.query!, input: queryInput, output: &queries, rowCount: ns)
        teacherValues = [Float](repeating: 0, count: nt * dS)
        projectors.forward(projectors.teacherToStudent, input: valueInput, output: &teacherValues, rowCount: nt)
        var studentValues = [Float](repeating: 0, count: ns * dT)
        projectors.forward(projectors.studentToTeacher, input: studentHidden, output: &studentValues, rowCount: ns)

        // attention scores and both softmaxes
        var scores = [Float](repeating: 0, count: b * ts * tt)
        let scoreScale = 1 / Float(2 * dT).squareRoot()
        for s in 0..<b {
            queries.withUnsafeBufferPointer { q in
                keys.withUnsafeBufferPointer { k in
                    scores.withUnsafeMutableBufferPointer { a in
                        Matrix.multiplyTransposed(q.baseAddress! + s * ts * 2 * dT, k.baseAddress! + s * tt * 2 * dT,
                                                  into: a.baseAddress! + s * ts * tt, m: ts, n: tt, k: 2 * dT, alpha: scoreScale)
                    }
                }
            }
            for i in 0..<ts {
                for j in 0..<tt where studentLabels[s * ts + i] < 0 || teacherLabels[s * tt + j] < 0 {
                    scores[(s * ts + i) * tt + j] += Self.paddingScore
                }
            }
        }
        t2sWeights = scores
        s2tWeights = [Float](repeating: 0, count: b * tt * ts)
        for s in 0..<b {
            for i in 0..<ts { Self.softmax(&t2sWeights, offset: (s * ts + i) * tt, count: tt) }
            for j in 0..<tt {
                for i in 0..<ts { s2tWeights[(s * tt + j) * ts + i] = scores[(s * ts + i) * tt + j] }
                Self.softmax(&s2tWeights, offset: (s * tt + j) * ts, count: ts)
            }
        }
        // h_t2s = W_t2s · VT, h_s2t = W_s2t · VS
        t2sHidden = [Float](repeating: 0, count: ns * dS)
        var s2tHidden = [Float](repeating: 0, count: nt * dT)
        t2sWeights.withUnsafeBufferPointer { w in
            teacherValues.withUnsafeBufferPointer { values in
                t2sHidden.withUnsafeMutableBufferPointer { h in
                    for s in 0..<b {
                        Matrix.multiply(w.baseAddress! + s * ts * tt, values.baseAddress! + s * tt * dS,
                                        into: h.baseAddress! + s * ts * dS, m: ts, n: dS, k: tt)
                    }
                }
            }
        }
        s2tWeights.withUnsafeBufferPointer { w in
            studentValues.withUnsafeBufferPointer { values in
                s2tHidden.withUnsafeMutableBufferPointer { h in
                    for s in 0..<b {
                        Matrix.multiply(w.baseAddress! + s * tt * ts, values.baseAddress! + s * ts * dT,
                                        into: h.baseAddress! + s * tt * dT, m: tt, n: dT, k: ts)
                    }
                }
            }
        }

        // teacher space: kd_s2t over teacher label positions
        var s2tHiddenGradient = [Float](repeating: 0, count: nt * dT)
        let weight = configuration.lambda * Float(1 / batch.studentLabels.globalLabelTokenCount)
        let kdS2T = TeacherSpaceDistillation.forwardKL(
            hidden: s2tHidden, teacherHidden: teacherHidden, teacherHead: teacherHead, labels: teacherLabels,
            rowCount: nt, teacherWidth: dT, vocabularySize: vT, temperature: configuration.temperature, weight: weight,
            chunkRows: s2tChunkRows, hiddenGradient: &s2tHiddenGradient, projected: &projected,
            teacherLogits: &teacherLogits, scratch: scratch)
        // back through h_s2t = W_s2t · VS: dVS and dA (transposed)
        scoreGradient = [Float](repeating: 0, count: b * ts * tt)
        var studentValueGradient = [Float](repeating: 0, count: ns * dT)
        Self.attentionBackward(weights: s2tWeights, hiddenGradient: s2tHiddenGradient, values: studentValues,
                               valueGradient: &studentValueGradient, scoreGradient: &scoreGradient,
                               sequenceCount: b, rows: tt, columns: ts, width: dT, transposedScores: true)
        studentHiddenGradient = [Float](repeating: 0, count: ns * dS)
        projectors.backward(projectors.studentToTeacher, input: studentHidden, outputGradient: studentValueGradient,
                            inputGradient: &studentHiddenGradient, rowCount: ns)
        t2sHiddenGradient = [Float](repeating: 0, count: ns * dS)
        components["kd_s2t"] = kdS2T
        components["total"] = Double(configuration.lambda) * kdS2T
    }

    /// Adds the teacher-space gradient ∂total/∂hS (NS,dS) into the engine's dHidden.
    public func addStudentHiddenGradient(into dHidden: UnsafeMutablePointer<Float>) {
        for i in studentHiddenGradient.indices { dHidden[i] += studentHiddenGradient[i] }
    }

    /// Student-space terms of a chunk of student rows: ce and (where argmax z_t2s = y) kd_t2s
    /// on the student logits (overwritten with their gradient), ce_t2s on z_t2s.
    public func lossAndGradient(rowStart: Int, rowCount: Int, logits: UnsafeMutablePointer<Float>, vocabularySize v: Int) -> Double {
        guard let batch, let studentHead else { preconditionFailure("CrossModelAttentionObjective: beginStep was not called") }
        precondition(v == studentVocabularySize, "CrossModelAttentionObjective: chunk vocabulary \(v) differs from the objective's \(studentVocabularySize)")
        let dS = studentWidth
        let labels = batch.studentLabels
        if projected.count < rowCount * v { projected = [Float](repeating: 0, count: rowCount * v) }
        t2sHidden.withUnsafeBufferPointer { h in
            Matrix.multiplyTransposed(h.baseAddress! + rowStart * dS, studentHead, into: &projected, m: rowCount, n: v, k: dS)
        }
        let lambda = configuration.lambda
        let scale = Float(1 / labels.globalLabelTokenCount)
        let studentScale = 1 / configuration.temperature
        let teacherScale = 1 / (configuration.temperature * configuration.teacherTemperature)
        var ce = 0.0, kd = 0.0, ceT2S = 0.0, correct = 0.0
        projected.withUnsafeMutableBufferPointer { z in
            for r in 0..<rowCount {
                let row = logits + r * v, t2sRow = z.baseAddress! + r * v
                let label = Int(labels.values[rowStart + r])
                guard label >= 0 else {
                    row.update(repeating: 0, count: v); t2sRow.update(repeating: 0, count: v); continue
                }
                var best = 0
                for j in 1..<v where t2sRow[j] > t2sRow[best] { best = j }
                if best == label {
                    correct += 1
                    let losses = configuration.distance.fullRow(
                        z: row, t: t2sRow, count: v, studentScale: studentScale, teacherScale: teacherScale, label: label,
                        crossEntropyWeight: (1 - lambda) * scale, distanceWeight: lambda * scale,
                        gradient: RowGradient(row, accumulate: false), teacherGradient: nil, scratch: scratch)
                    ce += losses.crossEntropy; kd += losses.distance
                } else {
                    ce += RowKernels.crossEntropy(z: row, count: v, label: label, weight: (1 - lambda) * scale,
                                                  gradient: RowGradient(row, accumulate: false))
                }
                ceT2S += RowKernels.crossEntropy(z: t2sRow, count: v, label: label, weight: lambda * scale,
                                                 gradient: RowGradient(t2sRow, accumulate: false))
            }
        }
        t2sHiddenGradient.withUnsafeMutableBufferPointer { dh in
            Matrix.multiply(projected, studentHead, into: dh.baseAddress! + rowStart * dS, m: rowCount, n: dS, k: v, beta: 1)
        }
        let total = Double(1 - lambda) * ce + Double(lambda) * (kd + ceT2S)
        components.add("ce", ce); components.add("kd_t2s", kd); components.add("ce_t2s", ceT2S)
        components.add("t2s_correct", correct); components.add("total", total)
        return total
    }

    /// Ends the step: backpropagates the student-space gradient through the attention into
    /// P_t2s and P_query (with the teacher-space part of dA); returns the components.
    @discardableResult
    public func finishStep() -> LossComponents {
        guard let batch else { return components }
        let b = batch.sequenceCount, ts = batch.studentLength, tt = batch.teacherLength
        let ns = b * ts, nt = b * tt, dS = studentWidth, dT = teacherWidth
        var teacherValueGradient = [Float](repeating: 0, count: nt * dS)
        Self.attentionBackward(weights: t2sWeights, hiddenGradient: t2sHiddenGradient, values: teacherValues,
                               valueGradient: &teacherValueGradient, scoreGradient: &scoreGradient,
                               sequenceCount: b, rows: ts, columns: tt, width: dS, transposedScores: false)
        projectors.backward(projectors.teacherToStudent, input: valueInput, outputGradient: teacherValueGradient,
                            inputGradient: nil, rowCount: nt)
        // dQ_b (TS,2dT) = dA_b (TS,TT) · K_b (TT,2dT) / sqrt(2dT)
        var queryGradient = [Float](repeating: 0, count: ns * 2 * dT)
        let scoreScale = 1 / Float(2 * dT).squareRoot()
        scoreGradient.withUnsafeBufferPointer { dA in
            keys.withUnsafeBufferPointer { k in
                queryGradient.withUnsafeMutableBufferPointer { dq in
                    for s in 0..<b {
                        Matrix.multiply(dA.baseAddress! + s * ts * tt, k.baseAddress! + s * tt * 2 * dT,
                                        into: dq.baseAddress! + s * ts * 2 * dT, m: ts, n: 2 * dT, k: tt, alpha: scoreScale)
                    }
                }
            }
        }
        projectors.backward(projectors.query!, input: queryInput, outputGradient: queryGradient, inputGradient: nil, rowCount: ns)
        studentHead = nil
        return components
    }

    /// Backward through h_b = W_b · V_b for every sequence b, the rows of W_b (M,N) being
    /// softmaxes of attention scores: dV_b (N,d) = W_bᵀ · dh_b (M,d) is written, dW_b (M,N) =
    /// dh_b · V_bᵀ goes through the softmax and is ADDED to dA (B,TS,TT). M×N is TS×TT for
    /// t2s; s2t's W is (TT,TS), softmax over Aᵀ, so its dA entries are transposed.
    static func attentionBackward(weights: [Float], hiddenGradient: [Float], values: [Float],
                                  valueGradient: inout [Float], scoreGradient: inout [Float],
                                  sequenceCount b: Int, rows m: Int, columns n: Int, width d: Int,
                                  transposedScores: Bool) {
        var weightGradient = [Float](repeating: 0, count: m * n)              // dW_b (M,N)
        for s in 0..<b {
            weights.withUnsafeBufferPointer { w in
                hiddenGradient.withUnsafeBufferPointer { dh in
                    values.withUnsafeBufferPointer { v in
                        // dV_b (N,d) = W_bᵀ (N,M) · dh_b (M,d)
                        valueGradient.withUnsafeMutableBufferPointer { dv in
                            Matrix.multiplyTransposedA(w.baseAddress! + s * m * n, dh.baseAddress! + s * m * d,
                                                       into: dv.baseAddress! + s * n * d, m: n, n: d, k: m)
                        }
                        // dW_b (M,N) = dh_b (M,d) · V_bᵀ
                        Matrix.multiplyTransposed(dh.baseAddress! + s * m * d, v.baseAddress! + s * n * d,
                                                  into: &weightGradient, m: m, n: n, k: d)
                    }
                }
            }
            for r in 0..<m {
                let w = (s * m + r) * n
                var dot: Float = 0
                for c in 0..<n { dot += weights[w + c] * weightGradient[r * n + c] }
                for c in 0..<n {
                    let a = transposedScores ? (s * n + c) * m + r : w + c
                    scoreGradient[a] += weights[w + c] * (weightGradient[r * n + c] - dot)
                }
            }
        }
    }

    /// Unbiased standard deviation of all elements (torch's `Tensor.std()`).
    static func standardDeviation(_ x: [Float]) -> Float {
        guard x.count > 1 else { return 1 }
        var mean = 0.0
        for value in x { mean += Double(value) }
        mean /= Double(x.count)
        var variance = 0.0
        for value in x { variance += (Double(value) - mean) * (Double(value) - mean) }
        let sd = (variance / Double(x.count - 1)).squareRoot()
        return sd > 0 ? Float(sd) : 1
    }

    /// In-place softmax of `count` elements at `offset`.
    static func softmax(_ x: inout [Float], offset: Int, count: Int) {
        var m = -Float.infinity
        for i in 0..<count { m = max(m, x[offset + i]) }
        var sum = 0.0
        for i in 0..<count { let e = Foundation.exp(x[offset + i] - m); x[offset + i] = e; sum += Double(e) }
        let inverse = Float(1 / sum)
        for i in 0..<count { x[offset + i] *= inverse }
    }
}
