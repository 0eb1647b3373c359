// Compressed teacher targets: the top-k teacher ids per row with their
// log-probabilities at the KD temperature, and the tail mass.
//
// Shape legend: N = rows (flattened B·T positions), K = top-k count, V = vocabulary.
//   ids (N,K) Int32, logProbabilities (N,K), tailMass (N)

import Foundation
import Engine

/// Top-k teacher targets at temperature τ.
///
/// Exact treatment: for each row the teacher sends `log p_i = log_softmax(zT/τ)_i` at its
/// k largest ids (descending) and the tail mass `p_tail = Σ_{v ∉ ids} p_v` (summed directly
/// over the other ids, with the tail's own maximum as the shift when it would underflow, not
/// computed as `1 − Σ p_i`; a float, so a tail below ~1e-45 is 0). The student distribution
/// `q = softmax(zS/τ)` is compared on k + 1 buckets: the same k ids, and one tail bucket
/// holding the student's remaining mass, kept as its log
/// `log q_tail = logsumexp_{v ∉ ids}(zS_v/τ) − logsumexp(zS/τ)` (finite however far below
/// the row maximum the tail lies). The distance is the distance between these two
/// (k+1)-bucket distributions, and its gradient reaches every student logit: a tail logit v
/// receives `q_v/q_tail` of the tail bucket's gradient, plus the softmax normalization term.
/// With k = V the tail is empty on both sides (a teacher tail there is a rounding residue,
/// taken as 0; the empty bucket contributes 0) and the result equals the full-vocabulary
/// distance.
public struct TopKTargets: Sendable, Equatable {
    /// Number of rows N.
    public let rowCount: Int
    /// Ids per row K.
    public let k: Int
    /// Vocabulary size V of the teacher (and the student: top-k targets need a shared vocabulary).
    public let vocabularySize: Int
    /// The KD temperature τ the log-probabilities were taken at.
    public let temperature: Float
    /// (N,K) teacher ids, per row in descending probability.
    public private(set) var ids: [Int32]
    /// (N,K) `log_softmax(zT/τ)` at `ids`.
    public private(set) var logProbabilities: [Float]
    /// (N) teacher mass outside the K ids (ignored when K = V).
    public private(set) var tailMass: [Float]

    /// Wraps received arrays; checks sizes, id ranges and that each row's ids are distinct.
    public init(rowCount: Int, k: Int, vocabularySize: Int, temperature: Float,
                ids: [Int32], logProbabilities: [Float], tailMass: [Float]) throws {
        guard k >= 1, k <= vocabularySize else { throw DistillationError.invalidParameter("top-k k", Double(k), "must lie in 1...\(vocabularySize)") }
        guard temperature > 0 else { throw DistillationError.invalidParameter("top-k temperature", Double(temperature), "must be positive") }
        guard ids.count == rowCount * k else { throw DistillationError.sizeMismatch("top-k ids", expected: rowCount * k, got: ids.count) }
        guard logProbabilities.count == rowCount * k else { throw DistillationError.sizeMismatch("top-k log-probabilities", expected: rowCount * k, got: logProbabilities.count) }
        guard tailMass.count == rowCount else { throw DistillationError.sizeMismatch("top-k tail mass", expected: rowCount, got: tailMass.count) }
        var row = [Int32](repeating: 0, count: k)
        for r in 0..<rowCount {
            for j in 0..<k {
                let id = ids[r * k + j]
                guard id >= 0, Int(id) < vocabularySize else { throw DistillationError.tokenOutOfRange("top-k ids row \(r)", id: Int(id), vocabularySize: vocabularySize) }
                row[j] = id
            }
            row.sort()
            for j in 1..<max(k, 1) where row[j] == row[j - 1] {
                throw DistillationError.invalidParameter("top-k ids row \(r) repeated id", Double(row[j]), "must be distinct")
            }
        }
        self.rowCount = rowCount; self.k = k; self.vocabularySize = vocabularySize; self.temperature = temperature
        self.ids = ids; self.logProbabilities = logProbabilities; self.tailMass = tailMass
    }

    /// Selects the top-k targets of `rowCount` rows of full teacher logits (N,V) at temperature τ.
    /// Per row: a size-k min-heap over one pass of V (partial selection, no full sort), then
    /// one vectorized exp pass summing the tail over the gaps between the ids (two more when
    /// the tail underflows, see `logTailSum`).
    public init(teacherLogits: UnsafePointer<Float>, rowCount: Int, vocabularySize: Int, k: Int, temperature: Float) throws {
        guard k >= 1, k <= vocabularySize else { throw DistillationError.invalidParameter("top-k k", Double(k), "must lie in 1...\(vocabularySize)") }
        guard temperature > 0 else { throw DistillationError.invalidParameter("top-k temperature", Double(temperature), "must be positive") }
        self.rowCount = rowCount; self.k = k; self.vocabularySize = vocabularySize; self.temperature = temperature
        var ids = [Int32](repeating: 0, count: rowCount * k)
        var logProbabilities = [Float](repeating: 0, count: rowCount * k)
        var tailMass = [Float](repeating: 0, count: rowCount)
        var heapValues = [Float](repeating: 0, count: k)
        var heapIds = [Int](repeating: 0, count: k)
        var sortedIds = [Int](repeating: 0, count: k)
        let scale = 1 / temperature
        for r in 0..<rowCount {
            let z = teacherLogits + r * vocabularySize
            TopKTargets.selectLargest(z, count: vocabularySize, k: k, values: &heapValues, ids: &heapIds)
            // descending order for the output
            let order = (0..<k).sorted { heapValues[$0] > heapValues[$1] || (heapValues[$0] == heapValues[$1] && heapIds[$0] < heapIds[$1]) }
            let m = heapValues[order[0]]
            for j in 0..<k { sortedIds[j] = heapIds[j] }
            sortedIds.sort()
            let logTail = sortedIds.withUnsafeBufferPointer { sorted in
                TopKTargets.logTailSum(z, count: vocabularySize, sortedIds: sorted.baseAddress!, k: k, shift: m, scale: scale)
            }
            // the normalizer adds the k selected terms to the tail, so neither needs a subtraction
            var norm = Foundation.exp(logTail)
            for j in 0..<k { norm += Foundation.exp(Double((heapValues[j] - m) * scale)) }
            let logNorm = Foundation.log(norm)
            for (j, slot) in order.enumerated() {
                ids[r * k + j] = Int32(heapIds[slot])
                logProbabilities[r * k + j] = Float(Double((heapValues[slot] - m) * scale) - logNorm)
            }
            tailMass[r] = Float(Foundation.exp(logTail - logNorm))
        }
        self.ids = ids; self.logProbabilities = logProbabilities; self.tailMass = tailMass
    }

    /// `log Σ_{v ∉ ids} exp((z_v − shift)·scale)` over the gaps between the sorted ids (−∞ for an
    /// empty tail). One exp pass at `shift`; a tail so far below it that the float exponentials
    /// lose it (a sum under 2⁻⁶⁰, where the entries flushed to 0 could matter) is summed again
    /// with its own maximum as the shift, so that it is a finite log rather than an underflowed 0.
    private static func logTailSum(_ z: UnsafePointer<Float>, count: Int, sortedIds: UnsafePointer<Int>, k: Int,
                                   shift: Float, scale: Float) -> Double {
        var sum = 0.0
        RowAccess.forEachGap(between: sortedIds, k, count: count) { range in
            sum += RowAccess.sumExp(z, range, shift: shift, scale: scale)
        }
        if sum >= 0x1p-60 { return Foundation.log(sum) }
        var tailMax = -Float.infinity
        RowAccess.forEachGap(between: sortedIds, k, count: count) { range in
            tailMax = max(tailMax, VectorMath.maximum(z + range.lowerBound, range.count))
        }
        guard tailMax > -.infinity else { return -.infinity }
        sum = 0
        RowAccess.forEachGap(between: sortedIds, k, count: count) { range in
            sum += RowAccess.sumExp(z, range, shift: tailMax, scale: scale)
        }
        return Double((tailMax - shift) * scale) + Foundation.log(sum)
    }

    /// The k largest entries of a row (unordered) by a min-heap of size k.
    private static func selectLargest(_ z: UnsafePointer<Float>, count: Int, k: Int, values: inout [Float], ids: inout [Int]) {
        for j in 0..<k { values[j] = z[j]; ids[j] = j }
        for j in stride(from: k / 2 - 1, through: 0, by: -1) { siftDown(&values, &ids, j, k) }
        var floor = values[0]
        var v = k
        while v < count {
            // skip ahead in groups of W while nothing beats the heap's minimum
            if v + Lanes.scalarCount <= count {
                let group = UnsafeRawPointer(z + v).loadUnaligned(as: Lanes.self)
                if !any(group .> Lanes(repeating: floor)) { v += Lanes.scalarCount; continue }
            }
            let end = min(v + Lanes.scalarCount, count)
            while v < end {
                if z[v] > floor {
                    values[0] = z[v]; ids[0] = v
                    siftDown(&values, &ids, 0, k)
                    floor = values[0]
                }
                v += 1
            }
        }
    }

    private static func siftDown(_ values: inout [Float], _ ids: inout [Int], _ start: Int, _ count: Int) {
        var i = start
        while true {
            let l = 2 * i + 1, r = l + 1
            var smallest = i
            if l < count && (values[l] < values[smallest] || (values[l] == values[smallest] && ids[l] > ids[smallest])) { smallest = l }
            if r < count && (values[r] < values[smallest] || (values[r] == values[smallest] && ids[r] > ids[smallest])) { smallest = r }
            if smallest == i { return }
            values.swapAt(i, smallest); ids.swapAt(i, smallest)
            i = smallest
        }
    }
}
