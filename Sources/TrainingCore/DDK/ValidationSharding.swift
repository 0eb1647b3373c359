import DataPipeline
import Foundation
import Tokenizer

/// The fixed validation sequences of every domain (the first V of each validation shard),
/// sharded over a group of workers (students, or the teacher pool): item `d·V + j` (domain
/// d, sequence j) goes to worker `(d·V + j) mod W`. Each worker returns per-domain sums
/// that are reduced to rank 0, so the perplexity is the same whatever W (up to the order
/// of the floating-point sums).
public struct ValidationSharding {
    public let dataset: PreparedDataset
    public let sequencesPerDomain: Int
    /// The first validation sequence used: 0 for DDK's; after them for a held-out set.
    public let firstSequence: Int

    public init(dataset: PreparedDataset, sequencesPerDomain: Int, firstSequence: Int = 0) {
        self.dataset = dataset
        self.sequencesPerDomain = sequencesPerDomain
        self.firstSequence = firstSequence
    }

    /// The (V, T+1) validation tokens of a domain.
    func windows(domain: Int) throws -> [Int32] {
        try dataset.validationBatch(domain: domain, count: sequencesPerDomain, first: firstSequence)
    }

    /// Evaluates worker `worker`'s items in batches of at most `maxBatch` sequences of one
    /// domain; returns `[sum_0 … sum_{N−1}, count_0 … count_{N−1}]` (nats, label tokens).
    public func evaluate(worker: Int, of workers: Int, maxBatch: Int,
                         crossEntropy: (SequenceBatch) throws -> (sum: Double, count: Int)) throws -> [Double] {
        let domainCount = dataset.domains.count
        let T = dataset.sequenceLength
        var sums = [Double](repeating: 0, count: 2 * domainCount)
        for domain in 0..<domainCount {
            let mine = (0..<sequencesPerDomain).filter { (domain * sequencesPerDomain + $0) % workers == worker }
            guard !mine.isEmpty else { continue }
            let tokens = try windows(domain: domain)
            var start = 0
            while start < mine.count {
                let group = mine[start..<min(start + maxBatch, mine.count)]
                var sequences: [Int32] = []
                sequences.reserveCapacity(group.count * (T + 1))
                for index in group { sequences.append(contentsOf: tokens[index * (T + 1)..<(index + 1) * (T + 1)]) }
                let result = try crossEntropy(SequenceBatch(sequences: sequences, batchSize: group.count, sequenceLength: T))
                sums[domain] += result.sum
                sums[domainCount + domain] += Double(result.count)
                start += maxBatch
            }
        }
        return sums
    }

    /// Perplexities `exp(sum/count)` per domain from reduced sums.
    public static func perplexities(_ sums: [Double]) -> [Double] {
        let domainCount = sums.count / 2
        return (0..<domainCount).map { exp(sums[$0] / max(1, sums[domainCount + $0])) }
    }

    /// Per domain, the bytes of the validation labels' text: what a per-byte perplexity
    /// divides by (`CrossTokenization+Validation`); the same whatever the worker count.
    public func labelBytes(studentTokenizer: any TextTokenizer) throws -> [Double] {
        let T = dataset.sequenceLength
        return try dataset.domains.indices.map { domain in
            let tokens = try windows(domain: domain)
            return Double((0..<sequencesPerDomain).reduce(0) {
                $0 + CrossTokenization.labelBytes(window: tokens[$1 * (T + 1)..<($1 + 1) * (T + 1)], studentTokenizer: studentTokenizer)
            })
        }
    }

    /// The longest teacher input of any validation window measured per byte (the teacher
    /// is allocated for it).
    public func longestScoredText(_ crossTokenization: CrossTokenization) throws -> Int {
        let T = dataset.sequenceLength
        var longest = 0
        for domain in dataset.domains.indices {
            let tokens = try windows(domain: domain)
            for index in 0..<sequencesPerDomain {
                let text = try crossTokenization.scoredText(window: tokens[index * (T + 1)..<(index + 1) * (T + 1)])
                longest = max(longest, text.ids.count - 1)
            }
        }
        return longest
    }

    /// A hash of every validation token and the sequence length (part of the cache key).
    public func tokenHash() throws -> UInt64 {
        var hash = ContentHash()
        hash.combine("T=\(dataset.sequenceLength) V=\(sequencesPerDomain)" + (firstSequence == 0 ? "" : " from \(firstSequence)"))
        for domain in dataset.domains.indices {
            hash.combine(dataset.domains[domain].name)
            hash.combine(tokens: try windows(domain: domain))
        }
        return hash.value
    }
}
