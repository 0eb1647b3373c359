// `dskd-cma`: dual-space KD with cross-model attention, for a student and a
// teacher with different vocabularies (docs/ALGORITHMS.md §2). Each side tokenizes the same
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
// Step protocol as `DualSpaceObjective` (`DualSpaceDistillation`): beginStep, lossAndGradient
// per chunk (`DualSpaceStep`), addStudentHiddenGradient(into:), finishStep.

import Engine
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
public final class CrossModelAttentionObjective: DualSpaceDistillation {
    /// Added to attention scores where the student or the teacher position is padding.
    public static let paddingScore: Float = -1e5

    public let kind = ObjectiveKind.dskdCMA
    /// The settings.
    public var configuration: DualSpaceConfiguration { dualSpaceStep.configuration }
    /// dS, dT, VS, VT.
    public let studentWidth: Int, teacherWidth: Int, studentVocabularySize: Int, teacherVocabularySize: Int
    /// P_t2s, P_s2t, P_query with their parameter and gradient buffers
    /// (`lossAndGradients` zeroes the gradients; step-by-step callers zero them).
    public let projectors: DualSpaceProjectors
    public var teacherRequirements: TeacherRequirements { kind.teacherRequirements() }
    public let dualSpaceStep: DualSpaceStep

    private let teacherHead: [Float]         // (VT,dT)
    private let teacherEmbeddings: [Float]   // (VT,dT)
    private var batch: CrossModelBatch?
    private var queryInput: [Float] = []     // (NS,2dS)
    private var keys: [Float] = []           // (NT,2dT)
    private var valueInput: [Float] = []     // (NT,dT)
    private var queries: [Float] = []        // (NS,2dT)
    private var teacherValues: [Float] = []  // (NT,dS)  VT
    private var t2sWeights: [Float] = []     // (B,TS,TT) softmax over j
    private var s2tWeights: [Float] = []     // (B,TT,TS) softmax over i
    private var scoreGradient: [Float] = []  // (B,TS,TT) dA

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
        dualSpaceStep = DualSpaceStep(kind: .dskdCMA, configuration: configuration, studentWidth: studentWidth,
                                      vocabularySize: studentVocabularySize)
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
        let ns = b * ts, nt = b * tt, dT = teacherWidth
        guard teacherHidden.count == nt * dT else { throw DistillationError.sizeMismatch("teacher hidden states (B·TT,dT)", expected: nt * dT, got: teacherHidden.count) }
        self.batch = batch
        dualSpaceStep.begin(labels: batch.studentLabels, studentHead: studentHead)
        let studentValues = buildInputs(batch: batch, studentHidden: studentHidden, teacherHidden: teacherHidden,
                                        studentEmbeddings: studentEmbeddings)
        let s2tHidden = attend(batch: batch, studentValues: studentValues)

        // teacher space: kd_s2t over teacher label positions
        var s2tHiddenGradient = [Float](repeating: 0, count: nt * dT)
        dualSpaceStep.teacherSpaceTerm(hidden: s2tHidden, teacherHidden: teacherHidden, teacherHead: teacherHead,
                                       teacherLabels: batch.teacherLabels, rowCount: nt, teacherWidth: dT,
                                       teacherVocabularySize: teacherVocabularySize, hiddenGradient: &s2tHiddenGradient)
        // back through h_s2t = W_s2t · VS: dVS and dA (transposed)
        scoreGradient = [Float](repeating: 0, count: b * ts * tt)
        var studentValueGradient = [Float](repeating: 0, count: ns * dT)
        Self.attentionBackward(weights: s2tWeights, hiddenGradient: s2tHiddenGradient, values: studentValues,
                               valueGradient: &studentValueGradient, scoreGradient: &scoreGradient,
                               sequenceCount: b, rows: tt, columns: ts, width: dT, transposedScores: true)
        dualSpaceStep.backThroughStudentToTeacher(projectors, studentHidden: studentHidden,
                                                  outputGradient: studentValueGradient, rowCount: ns)
    }

    /// `beginStep` on `model`'s last forward pass: the student side from `batch` (input ids
    /// and labels of the model's B×TS positions), the teacher's from its hidden states and token ids.
    public func beginStep(model: LlamaModel, batch: ObjectiveBatch, teacher: TeacherOutputsView?) throws {
        let hidden = try Self.teacherHidden(teacher)
        guard let tokens = teacher?.tokenIds else { throw DistillationError.missingTeacherData("teacher token ids") }
        let crossModelBatch = try CrossModelBatch(
            sequenceCount: model.batchSize, studentLength: model.sequenceLength, teacherLength: tokens.sequenceLength,
            studentInputs: batch.inputs, studentLabels: batch.labels, teacherInputs: tokens.inputs, teacherLabels: tokens.labels,
            studentVocabularySize: studentVocabularySize, teacherVocabularySize: teacherVocabularySize)
        let embeddings = try model.parameter(named: "model.embed_tokens.weight").baseAddress!
        try beginStep(batch: crossModelBatch, studentHidden: model.hiddenStates.baseAddress!, teacherHidden: hidden,
                      studentEmbeddings: embeddings, studentHead: model.lmHeadWeight.baseAddress!)
    }

    /// Queries' and values' inputs and their projections: sets `queryInput`, `keys`,
    /// `valueInput`, `queries`, `teacherValues`; returns VS = P_s2t(hS) (NS,dT).
    private func buildInputs(batch: CrossModelBatch, studentHidden: UnsafePointer<Float>, teacherHidden: [Float],
                             studentEmbeddings: UnsafePointer<Float>) -> [Float] {
        let ns = batch.sequenceCount * batch.studentLength, nt = batch.sequenceCount * batch.teacherLength
        let dS = studentWidth, dT = teacherWidth
        queryInput = Self.embeddingPairs(inputs: batch.studentInputs, labels: batch.studentLabels.values,
                                         table: studentEmbeddings, width: dS)
        keys = teacherEmbeddings.withUnsafeBufferPointer {
            Self.embeddingPairs(inputs: batch.teacherInputs, labels: batch.teacherLabels, table: $0.baseAddress!, width: dT)
        }
        var targetEmbeddings = [Float](repeating: 0, count: nt * dT)   // eT(y), the second half of the keys' rows
        for j in 0..<nt { for c in 0..<dT { targetEmbeddings[j * dT + c] = keys[j * 2 * dT + dT + c] } }
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
        return studentValues
    }

    /// Rows [e(x); e(y)] (rows, 2d) of `table` (V,d), padded positions (negative label) looking up token 0.
    static func embeddingPairs(inputs: [Int32], labels: [Int32], table: UnsafePointer<Float>, width d: Int) -> [Float] {
        var pairs = [Float](repeating: 0, count: labels.count * 2 * d)
        for i in labels.indices {
            let padded = labels[i] < 0
            let x = padded ? 0 : Int(inputs[i]), y = padded ? 0 : Int(labels[i])
            for c in 0..<d {
                pairs[i * 2 * d + c] = table[x * d + c]
                pairs[i * 2 * d + d + c] = table[y * d + c]
            }
        }
        return pairs
    }

    /// Attention scores, both softmaxes (`t2sWeights`, `s2tWeights`), h_t2s = W_t2s · VT (into
    /// the step) and h_s2t = W_s2t · VS (NT,dT), returned.
    private func attend(batch: CrossModelBatch, studentValues: [Float]) -> [Float] {
        let b = batch.sequenceCount, ts = batch.studentLength, tt = batch.teacherLength
        let dS = studentWidth, dT = teacherWidth
        let studentLabels = batch.studentLabels.values, teacherLabels = batch.teacherLabels
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
        dualSpaceStep.t2sHidden = Self.attentionForward(weights: t2sWeights, values: teacherValues, sequenceCount: b,
                                                        rows: ts, columns: tt, width: dS)
        return Self.attentionForward(weights: s2tWeights, values: studentValues, sequenceCount: b, rows: tt, columns: ts, width: dT)
    }

    /// h_b (M,d) = W_b (M,N) · V_b (N,d) for every sequence b.
    static func attentionForward(weights: [Float], values: [Float], sequenceCount b: Int,
                                 rows m: Int, columns n: Int, width d: Int) -> [Float] {
        var hidden = [Float](repeating: 0, count: b * m * d)
        weights.withUnsafeBufferPointer { w in
            values.withUnsafeBufferPointer { v in
                hidden.withUnsafeMutableBufferPointer { h in
                    for s in 0..<b {
                        Matrix.multiply(w.baseAddress! + s * m * n, v.baseAddress! + s * n * d,
                                        into: h.baseAddress! + s * m * d, m: m, n: d, k: n)
                    }
                }
            }
        }
        return hidden
    }

    /// Ends the step: backpropagates the student-space gradient through the attention into
    /// P_t2s and P_query (with the teacher-space part of dA); returns the components.
    @discardableResult
    public func finishStep() -> LossComponents {
        guard let batch else { return dualSpaceStep.finish() }
        let b = batch.sequenceCount, ts = batch.studentLength, tt = batch.teacherLength
        let ns = b * ts, nt = b * tt, dS = studentWidth, dT = teacherWidth
        var teacherValueGradient = [Float](repeating: 0, count: nt * dS)
        Self.attentionBackward(weights: t2sWeights, hiddenGradient: dualSpaceStep.t2sHiddenGradient, values: teacherValues,
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
        return dualSpaceStep.finish()
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
