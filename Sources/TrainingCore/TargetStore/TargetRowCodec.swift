// The rows of one stored sequence: top-k teacher targets packed into bits.
//
// Shape legend: T = rows of a sequence, K = top-k, V = vocabulary, b = log-probability bits.
//
// exact (b = 32), per row:  K ids of 16 bits (32 when V > 65,536) in the teacher's order,
//                           K float32 log-probabilities, float32 tail mass
// quantized (b < 32), per row, entries in ascending id order:
//                           range R (float16, rounded up), log tail mass (float16),
//                           Rice parameter r (4 bits), K id gaps Rice-coded,
//                           K codes c of b bits with log p = −R·(c / (2^b − 1))²
//
// The square-root code spends its levels near log p = 0, where an error costs the most
// probability: |δp| ≈ p·|δ log p| and δ log p grows with √(−log p).

import Distillation
import Foundation

/// Packs and unpacks the top-k rows of sequences at one k, V and log-probability width.
public struct TargetRowCodec: Sendable {
    public let k: Int
    public let vocabularySize: Int
    public let temperature: Float
    /// 32 (float32, exact) or 4...16 (square-root code).
    public let logProbabilityBits: Int

    public static let allowedBits = Array(4...16) + [32]

    public init(k: Int, vocabularySize: Int, temperature: Float, logProbabilityBits: Int) {
        precondition(Self.allowedBits.contains(logProbabilityBits), "log-probability bits must be 4...16 or 32")
        self.k = k
        self.vocabularySize = vocabularySize
        self.temperature = temperature
        self.logProbabilityBits = logProbabilityBits
    }

    /// Each T-row sequence of `targets` ((B·T) rows), encoded on its own.
    public func encodeSequences(_ targets: TopKTargets, sequenceLength T: Int) -> [[UInt8]] {
        (0..<targets.rowCount / T).map { s in
            var writer = BitWriter()
            encode(targets, rows: s * T..<(s + 1) * T, into: &writer)
            return writer.finish()
        }
    }

    /// The targets of encoded T-row sequences, one after the other.
    public func decodeSequences(_ sequences: [[UInt8]], sequenceLength T: Int) throws -> TopKTargets {
        var ids = [Int32](), logProbabilities = [Float](), tailMass = [Float]()
        for sequence in sequences {
            try sequence.withUnsafeBytes { raw in
                var reader = BitReader(raw)
                try decode(rowCount: T, from: &reader, ids: &ids, logProbabilities: &logProbabilities, tailMass: &tailMass)
            }
        }
        return try TopKTargets(rowCount: sequences.count * T, k: k, vocabularySize: vocabularySize, temperature: temperature,
                               ids: ids, logProbabilities: logProbabilities, tailMass: tailMass)
    }

    var isExact: Bool { logProbabilityBits == 32 }
    var idBits: Int { vocabularySize <= 1 << 16 ? 16 : 32 }
    private var levels: Float { Float((1 << logProbabilityBits) - 1) }

    /// Rows `rows` of `targets`, appended to `writer`.
    func encode(_ targets: TopKTargets, rows: Range<Int>, into writer: inout BitWriter) {
        for r in rows {
            let base = r * k
            if isExact {
                for j in 0..<k { writer.write(UInt32(targets.ids[base + j]), bits: idBits) }
                for j in 0..<k { writer.write(targets.logProbabilities[base + j].bitPattern, bits: 32) }
                writer.write(targets.tailMass[r].bitPattern, bits: 32)
            } else {
                encodeQuantized(ids: targets.ids[base..<base + k], logProbabilities: targets.logProbabilities[base..<base + k],
                                tailMass: targets.tailMass[r], into: &writer)
            }
        }
    }

    private func encodeQuantized(ids: ArraySlice<Int32>, logProbabilities: ArraySlice<Float>, tailMass: Float,
                                 into writer: inout BitWriter) {
        let order = ids.indices.sorted { ids[$0] < ids[$1] }
        let range = Self.roundedUp(max(0, -(logProbabilities.min() ?? 0)))
        writer.write(UInt32(range.bitPattern), bits: 16)
        writer.write(UInt32(Float16(Foundation.log(tailMass)).bitPattern), bits: 16)
        var gaps = [UInt32](repeating: 0, count: k)
        var previous: Int32 = -1
        for (j, index) in order.enumerated() {
            gaps[j] = UInt32(ids[index] - previous - 1)
            previous = ids[index]
        }
        let parameter = Self.riceParameter(gaps)
        writer.write(UInt32(parameter), bits: 4)
        for gap in gaps {
            writer.writeUnary(Int(gap >> UInt32(parameter)))
            writer.write(gap, bits: parameter)
        }
        let scale = Float(range) > 0 ? 1 / Float(range) : 0
        for index in order {
            let code = (levels * (-logProbabilities[index] * scale).squareRoot()).rounded()
            writer.write(UInt32(min(max(code, 0), levels)), bits: logProbabilityBits)
        }
    }

    /// The float16 at or above `value` (the range must cover the row's lowest log-probability).
    /// Beyond float16's range (log-probabilities below −65,504) the range saturates, and so
    /// do the codes of those entries.
    static func roundedUp(_ value: Float) -> Float16 {
        guard value < Float(Float16.greatestFiniteMagnitude) else { return .greatestFiniteMagnitude }
        let nearest = Float16(value)
        return Float(nearest) >= value ? nearest : nearest.nextUp
    }

    /// The Rice parameter with the fewest bits for `gaps`.
    static func riceParameter(_ gaps: [UInt32]) -> Int {
        var best = 0, bestBits = Int.max
        for parameter in 0..<16 {
            var bits = 0
            for gap in gaps { bits += Int(gap >> UInt32(parameter)) + 1 + parameter }
            if bits < bestBits { best = parameter; bestBits = bits }
        }
        return best
    }

    /// `rowCount` rows from `reader`, appended to the arrays (entries in descending
    /// probability, as the teacher sends them). Throws on ids outside V or repeated, and
    /// on bits that run out.
    func decode(rowCount: Int, from reader: inout BitReader, ids: inout [Int32], logProbabilities: inout [Float],
                tailMass: inout [Float]) throws {
        var rowIds = [Int32](repeating: 0, count: k), rowLogs = [Float](repeating: 0, count: k)
        for _ in 0..<rowCount {
            let tail: Float
            if isExact {
                for j in 0..<k { rowIds[j] = Int32(bitPattern: try reader.read(bits: idBits)) }
                for j in 0..<k { rowLogs[j] = Float(bitPattern: try reader.read(bits: 32)) }
                tail = Float(bitPattern: try reader.read(bits: 32))
                ids += rowIds; logProbabilities += rowLogs
            } else {
                tail = try decodeQuantized(from: &reader, ids: &rowIds, logProbabilities: &rowLogs)
                let order = (0..<k).sorted { rowLogs[$0] > rowLogs[$1] || (rowLogs[$0] == rowLogs[$1] && rowIds[$0] < rowIds[$1]) }
                for j in order { ids.append(rowIds[j]); logProbabilities.append(rowLogs[j]) }
            }
            tailMass.append(tail)
        }
    }

    /// One quantized row (entries in id order); its tail mass. The decoded buckets are
    /// renormalized to sum to 1 (quantization leaves them a little off).
    private func decodeQuantized(from reader: inout BitReader, ids: inout [Int32], logProbabilities: inout [Float]) throws -> Float {
        let range = Float(Float16(bitPattern: UInt16(try reader.read(bits: 16))))
        let logTail = Float(Float16(bitPattern: UInt16(try reader.read(bits: 16))))
        guard range.isFinite, range >= 0, !logTail.isNaN, logTail <= 0.01 else { throw TargetRowCodecError.invalidRow }
        let parameter = Int(try reader.read(bits: 4))
        var previous = -1
        for j in 0..<k {
            let quotient = try reader.readUnary()
            guard quotient < vocabularySize else { throw TargetRowCodecError.invalidRow }
            let id = previous + 1 + (quotient << parameter | Int(try reader.read(bits: parameter)))
            guard id < vocabularySize else { throw TargetRowCodecError.invalidRow }
            ids[j] = Int32(id)
            previous = id
        }
        var mass = Double(Foundation.exp(logTail))
        for j in 0..<k {
            let fraction = Float(try reader.read(bits: logProbabilityBits)) / levels
            guard fraction <= 1 else { throw TargetRowCodecError.invalidRow }
            logProbabilities[j] = -range * fraction * fraction
            mass += Foundation.exp(Double(logProbabilities[j]))
        }
        let logMass = Float(Foundation.log(mass))
        for j in 0..<k { logProbabilities[j] -= logMass }
        return Float(Double(Foundation.exp(logTail)) / mass)
    }
}

/// A stored row that cannot be a top-k row (the block's checksum passed, so the store was
/// written wrong or by another codec).
enum TargetRowCodecError: Error {
    case invalidRow
}
